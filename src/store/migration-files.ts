import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Reads `NNNN_name.sql` files of one backend, in version order. */
export function loadMigrations(backend: 'sqlite' | 'postgres'): Migration[] {
  const folder = fileURLToPath(new URL(`./${backend}/migrations/`, import.meta.url));
  return readdirSync(folder)
    .filter((file) => /^\d{4}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: readFileSync(folder + file, 'utf8'),
    }));
}
