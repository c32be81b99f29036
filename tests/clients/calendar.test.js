// googleapis' Calendar v3 client, unmodified, against gcpsim's Calendar stub, signed in
// through gcpsim's OAuth stub: seed data, insert/list/get, recurrence, incremental sync,
// patch/update/delete/move/quickAdd, free/busy, and clean errors.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { google } = require('googleapis');
const { startGcpsim } = require('./lib/gcpsim');

let sim;
let stackDir;
let alice;  // calendar client signed in as alice@example.com

before(async () => {
  stackDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-calendar-'));
  fs.writeFileSync(path.join(stackDir, 'gcpsim.yaml'), [
    'calendar:',
    '  users:',
    '    alice@example.com:',
    '      events:',
    '        - {summary: Standup, start: "2026-01-05T09:00:00Z", end: "2026-01-05T09:15:00Z"}',
    '        - {summary: Gym, start: "2026-01-06T18:00:00Z", end: "2026-01-06T19:00:00Z", recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=TU,TH;COUNT=4"]}',
    '    bob@example.com: {}',
    '',
  ].join('\n'));
  sim = await startGcpsim(['--stack', path.join(stackDir, 'gcpsim.yaml')]);
  alice = await calendarFor('alice@example.com');
});
after(async () => {
  await sim.stop();
  fs.rmSync(stackDir, { recursive: true, force: true });
});

// The OAuth code flow against gcpsim, then a Calendar client with that token.
async function calendarFor(email) {
  const auth = new google.auth.OAuth2({
    clientId: 'cal-app.apps.googleusercontent.com',
    clientSecret: 'secret',
    redirectUri: 'http://127.0.0.1:3000/cb',
    endpoints: { oauth2AuthBaseUrl: `${sim.url}/o/oauth2/v2/auth`, oauth2TokenUrl: `${sim.url}/token` },
  });
  const url = auth.generateAuthUrl({ scope: ['https://www.googleapis.com/auth/calendar'], login_hint: email });
  const res = await fetch(url, { redirect: 'manual' });
  const code = new URL(res.headers.get('location')).searchParams.get('code');
  const { tokens } = await auth.getToken(code);
  auth.setCredentials(tokens);
  return google.calendar({ version: 'v3', auth, rootUrl: `${sim.url}/` });
}

async function status(promise) {
  try {
    await promise;
    return 200;
  } catch (err) {
    return err.status ?? err.response?.status;
  }
}

test('the stack file seeds the user\'s primary calendar', async () => {
  const list = await alice.calendarList.list();
  assert.equal(list.data.items.length, 1);
  assert.equal(list.data.items[0].id, 'alice@example.com');
  assert.equal(list.data.items[0].primary, true);
  const cal = await alice.calendars.get({ calendarId: 'primary' });
  assert.equal(cal.data.id, 'alice@example.com');
  const events = await alice.events.list({ calendarId: 'primary', timeMin: '2026-01-05T00:00:00Z', timeMax: '2026-01-06T00:00:00Z' });
  assert.deepEqual(events.data.items.map((e) => e.summary), ['Standup']);
});

test('insert, get and list by time window, ordered by start', async () => {
  const created = await alice.events.insert({
    calendarId: 'primary',
    requestBody: { summary: 'Design review', location: 'Room 4', start: { dateTime: '2026-01-05T14:00:00+01:00' }, end: { dateTime: '2026-01-05T15:00:00+01:00' } },
  });
  assert.equal(created.status, 200);
  assert.equal(created.data.status, 'confirmed');
  const got = await alice.events.get({ calendarId: 'primary', eventId: created.data.id });
  assert.equal(got.data.start.dateTime, '2026-01-05T14:00:00+01:00');
  const list = await alice.events.list({ calendarId: 'primary', timeMin: '2026-01-05T00:00:00Z', timeMax: '2026-01-06T00:00:00Z', singleEvents: true, orderBy: 'startTime' });
  assert.deepEqual(list.data.items.map((e) => e.summary), ['Standup', 'Design review']);
  const search = await alice.events.list({ calendarId: 'primary', q: 'design' });
  assert.deepEqual(search.data.items.map((e) => e.summary), ['Design review']);
});

test('recurring events expand into instances with singleEvents', async () => {
  const list = await alice.events.list({ calendarId: 'primary', timeMin: '2026-01-06T00:00:00Z', timeMax: '2026-02-01T00:00:00Z', singleEvents: true, orderBy: 'startTime', q: 'Gym' });
  assert.deepEqual(list.data.items.map((e) => e.start.dateTime), ['2026-01-06T18:00:00Z', '2026-01-08T18:00:00Z', '2026-01-13T18:00:00Z', '2026-01-15T18:00:00Z']);
  const series = list.data.items[0].recurringEventId;
  const inst = await alice.events.instances({ calendarId: 'primary', eventId: series });
  assert.equal(inst.data.items.length, 4);
  const monthly = await alice.events.insert({
    calendarId: 'primary',
    requestBody: {
      summary: 'Board meeting',
      start: { dateTime: '2026-01-30T16:00:00Z', timeZone: 'UTC' },
      end: { dateTime: '2026-01-30T17:00:00Z', timeZone: 'UTC' },
      recurrence: ['RRULE:FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20260401T000000Z'],
    },
  });
  const boards = await alice.events.instances({ calendarId: 'primary', eventId: monthly.data.id });
  assert.deepEqual(boards.data.items.map((e) => e.start.dateTime), ['2026-01-30T16:00:00Z', '2026-02-27T16:00:00Z', '2026-03-27T16:00:00Z']);
});

test('incremental sync: nextSyncToken, changes only, deletions included, 410 for a bad token', async () => {
  let pageToken;
  let syncToken;
  do {
    const page = await alice.events.list({ calendarId: 'primary', maxResults: 2, pageToken });
    pageToken = page.data.nextPageToken;
    syncToken = page.data.nextSyncToken;
  } while (pageToken);
  assert.ok(syncToken);
  const added = await alice.events.insert({ calendarId: 'primary', requestBody: { summary: 'Sync me', start: { date: '2026-03-01' }, end: { date: '2026-03-02' } } });
  await alice.events.delete({ calendarId: 'primary', eventId: added.data.id });
  const delta = await alice.events.list({ calendarId: 'primary', syncToken });
  assert.deepEqual(delta.data.items.map((e) => [e.summary, e.status]), [['Sync me', 'cancelled']]);
  const quiet = await alice.events.list({ calendarId: 'primary', syncToken: delta.data.nextSyncToken });
  assert.deepEqual(quiet.data.items, []);
  await assert.rejects(alice.events.list({ calendarId: 'primary', syncToken: 'bm90IGEgdG9rZW4=' }), (err) => {
    assert.equal(err.status, 410);
    assert.equal(err.response.data.error.errors[0].reason, 'fullSyncRequired');
    return true;
  });
});

test('patch, update, move, quickAdd and delete', async () => {
  const e = await alice.events.insert({ calendarId: 'primary', requestBody: { summary: 'Draft', description: 'keep me', start: { dateTime: '2026-02-02T10:00:00Z' }, end: { dateTime: '2026-02-02T11:00:00Z' } } });
  const patched = await alice.events.patch({ calendarId: 'primary', eventId: e.data.id, requestBody: { summary: 'Final' } });
  assert.equal(patched.data.summary, 'Final');
  assert.equal(patched.data.description, 'keep me');
  const updated = await alice.events.update({ calendarId: 'primary', eventId: e.data.id, requestBody: { summary: 'Moved', start: { dateTime: '2026-02-02T12:00:00Z' }, end: { dateTime: '2026-02-02T13:00:00Z' } } });
  assert.equal(updated.data.description, undefined);
  assert.equal(updated.data.sequence, 1);
  const team = await alice.calendars.insert({ requestBody: { summary: 'Team' } });
  const moved = await alice.events.move({ calendarId: 'primary', eventId: e.data.id, destination: team.data.id });
  assert.equal(moved.data.organizer.email, team.data.id);
  assert.equal(await status(alice.events.get({ calendarId: team.data.id, eventId: e.data.id })), 200);
  const quick = await alice.events.quickAdd({ calendarId: 'primary', text: 'Lunch with Bob 2026-02-03 at 12:30pm' });
  assert.equal(quick.data.summary, 'Lunch with Bob');
  assert.equal(quick.data.start.dateTime, '2026-02-03T12:30:00Z');
  const del = await alice.events.delete({ calendarId: 'primary', eventId: quick.data.id });
  assert.equal(del.status, 204);
  assert.equal(await status(alice.events.delete({ calendarId: 'primary', eventId: quick.data.id })), 410);
});

test('freebusy merges busy time across events', async () => {
  const fb = await alice.freebusy.query({ requestBody: { timeMin: '2026-01-05T00:00:00Z', timeMax: '2026-01-07T00:00:00Z', items: [{ id: 'primary' }, { id: 'nobody@example.com' }] } });
  assert.deepEqual(fb.data.calendars.primary.busy, [
    { start: '2026-01-05T09:00:00Z', end: '2026-01-05T09:15:00Z' },
    { start: '2026-01-05T13:00:00Z', end: '2026-01-05T14:00:00Z' },
    { start: '2026-01-06T18:00:00Z', end: '2026-01-06T19:00:00Z' },
  ]);
  assert.equal(fb.data.calendars['nobody@example.com'].errors[0].reason, 'notFound');
});

test('users only see their own calendars', async () => {
  const bob = await calendarFor('bob@example.com');
  const mine = await bob.events.list({ calendarId: 'primary' });
  assert.deepEqual(mine.data.items, []);
  assert.equal(await status(bob.events.list({ calendarId: 'alice@example.com' })), 404);
});

test('a metadata-server token acts as the default test user', async () => {
  const md = await fetch(`${sim.url}/computeMetadata/v1/instance/service-accounts/default/token`, { headers: { 'Metadata-Flavor': 'Google' } });
  const { access_token: token } = await md.json();
  const res = await fetch(`${sim.url}/calendar/v3/calendars/primary`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).id, 'alice@example.com');
  const forged = await fetch(`${sim.url}/calendar/v3/calendars/primary`, { headers: { authorization: 'Bearer ya29.forged' } });
  assert.equal(forged.status, 401);
});

test('bad input: empty time range, startTime order without singleEvents, bad times, no credentials', async () => {
  await assert.rejects(alice.events.list({ calendarId: 'primary', timeMin: '2026-02-01T00:00:00Z', timeMax: '2026-01-01T00:00:00Z' }), (err) => {
    assert.equal(err.status, 400);
    assert.equal(err.response.data.error.errors[0].reason, 'timeRangeEmpty');
    assert.equal(err.message, 'The specified time range is empty.');
    return true;
  });
  assert.equal(await status(alice.events.list({ calendarId: 'primary', orderBy: 'startTime' })), 400);
  assert.equal(await status(alice.events.list({ calendarId: 'primary', timeMin: 'yesterday' })), 400);
  assert.equal(await status(alice.events.insert({ calendarId: 'primary', requestBody: { summary: 'x', start: { dateTime: '2026-01-05T10:00:00Z' }, end: { dateTime: '2026-01-05T09:00:00Z' } } })), 400);
  const anonymous = await fetch(`${sim.url}/calendar/v3/calendars/primary/events`);
  assert.equal(anonymous.status, 401);
  assert.equal((await anonymous.json()).error.errors[0].location, 'Authorization');
});
