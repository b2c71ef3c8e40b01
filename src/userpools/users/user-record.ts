/** Record kind of users (id = opaque internal id; never the username or sub). */
export const USER_RECORD_KIND = 'user';
