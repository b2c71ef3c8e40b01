import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failoverChecklist } from '../../src/regions/failover-checklist.ts';
import { isPerRegionSetting, withRegionSettings } from '../../src/regions/per-region-settings.ts';

const none = { EmailConfiguration: null, SmsConfiguration: null, LambdaConfig: null, UserPoolTags: null };

test('the checklist marks settings configured everywhere and those that differ from the primary', () => {
  const checklist = failoverChecklist([
    { RegionName: 'us-east-1', Role: 'PRIMARY', Status: 'ACTIVE', Settings: { ...none, EmailConfiguration: 'aa', LambdaConfig: 'bb' } },
    { RegionName: 'eu-west-1', Role: 'SECONDARY', Status: 'ACTIVE', Settings: { ...none, EmailConfiguration: 'aa', LambdaConfig: 'cc', UserPoolTags: 'dd' } },
  ]);
  const byName = Object.fromEntries(checklist.Settings.map((setting) => [setting.Name, setting]));
  assert.equal(checklist.PrimaryRegion, 'us-east-1');
  assert.deepEqual([byName.EmailConfiguration!.ConfiguredEverywhere, byName.EmailConfiguration!.MatchesPrimaryEverywhere], [true, true]);
  assert.deepEqual([byName.LambdaConfig!.ConfiguredEverywhere, byName.LambdaConfig!.MatchesPrimaryEverywhere], [true, false]);
  assert.deepEqual(byName.UserPoolTags!.Regions.map((region) => region.Configured), [false, true]);
  assert.deepEqual(byName.SmsConfiguration!.Regions.map((region) => region.Configured), [false, false]);
  assert.equal(checklist.Ready, false);
});

test('an unreachable region is unknown, never counted as configured, and the pool is not ready', () => {
  const all = { EmailConfiguration: 'a', SmsConfiguration: 'b', LambdaConfig: 'c', UserPoolTags: 'd' };
  const reachable = failoverChecklist([
    { RegionName: 'us-east-1', Role: 'PRIMARY', Status: 'ACTIVE', Settings: all },
    { RegionName: 'eu-west-1', Role: 'SECONDARY', Status: 'ACTIVE', Settings: { ...all, EmailConfiguration: 'z' } },
  ]);
  assert.equal(reachable.Ready, true, 'differing values are information, not a fault');
  const unknown = failoverChecklist([
    { RegionName: 'us-east-1', Role: 'PRIMARY', Status: 'ACTIVE', Settings: null },
    { RegionName: 'eu-west-1', Role: 'SECONDARY', Status: 'ACTIVE', Settings: all },
  ]);
  assert.equal(unknown.Ready, false);
  assert.deepEqual(unknown.Regions.map((region) => region.Reachable), [false, true]);
  assert.deepEqual(unknown.Settings[0]!.Regions.map((region) => [region.Configured, region.MatchesPrimary]), [
    [null, null],
    [true, null],
  ]);
});

test("a secondary's own per-region settings replace the replicated ones, and only those", () => {
  assert.ok(isPerRegionSetting('LambdaConfig'));
  assert.ok(!isPerRegionSetting('Policies'));
  const replicated = { EmailConfiguration: { ReplyToEmailAddress: 'east@example.com' }, LambdaConfig: { PreSignUp: 'arn:east' }, MfaConfiguration: 'OFF' as const };
  const seen = withRegionSettings(replicated, { EmailConfiguration: { ReplyToEmailAddress: 'west@example.com' } });
  assert.deepEqual(seen, { EmailConfiguration: { ReplyToEmailAddress: 'west@example.com' }, MfaConfiguration: 'OFF' });
  assert.equal(withRegionSettings(replicated, null), replicated);
});
