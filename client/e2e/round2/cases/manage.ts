import { addMember, createProject, PASSWORD, signUpIn, uniqueEmail } from '../api';
import { type E2eCase, expect } from '../harness';

// Manage (issue 16): invite by e-mail someone without an account; members see who is pending;
// the invitee signs up through the link and accepts; revoked links stop working; the audit log
// reads as names, and its actor filter takes an e-mail.

const DESKTOP = { width: 1360, height: 900 };
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

export const manageCases: E2eCase[] = [
  {
    name: 'manage: invite by e-mail, pending for members, accepted through the link at sign-up; revoke; audit log by name',
    async run(h) {
      const owner = await h.browser.newContext({ viewport: DESKTOP });
      await signUpIn(owner, h.url, 'Invite Owner');
      const projectId = await createProject(owner, h.url, 'Team project');
      const viewer = await h.browser.newContext({ viewport: DESKTOP });
      const { email: viewerEmail } = await signUpIn(viewer, h.url, 'Invite Viewer');
      await addMember(owner, h.url, projectId, viewerEmail, 'VIEWER');

      const page = await h.newPage(owner, 'invite-owner');
      await page.goto(`${h.url}/p/${projectId}/members`);
      const newcomer = uniqueEmail('newcomer');
      const form = page.getByRole('form', { name: 'Invite by e-mail' });
      await form.getByLabel('E-mail to invite').fill(newcomer);
      await form.locator('select[name=inviteRole]').selectOption('ADMIN');
      await form.getByRole('button', { name: 'Send invitation' }).click();
      const link = ((await page.getByTestId('invite-link').textContent()) ?? '').trim();
      expect(/\/invite\/[\w-]{43}$/.test(link), `no invitation link on the page: "${link}"`);
      const pending = page.getByRole('table', { name: 'Pending invitations' });
      await pending.getByText(newcomer).waitFor();
      await h.screenshot(page, 'members-invitations-owner');

      const vp = await h.newPage(viewer, 'invite-viewer');
      await vp.goto(`${h.url}/p/${projectId}/members`);
      const seen = vp.getByRole('table', { name: 'Pending invitations' });
      await seen.getByText('•••@example.com').waitFor();
      expect((await seen.getByText(newcomer).count()) === 0, 'a viewer sees the full invited address');
      expect((await seen.getByRole('button', { name: 'Revoke' }).count()) === 0, 'a viewer sees Revoke');
      await h.screenshot(vp, 'members-invitations-viewer');

      // The invitee has no account: the link leads through sign-up and back.
      const invitee = await h.browser.newContext({ viewport: DESKTOP });
      const ip = await h.newPage(invitee, 'invitee');
      await ip.goto(link.replace(/^https?:\/\/[^/]+/, h.url));
      await ip.getByText('Team project').waitFor();
      await h.screenshot(ip, 'invitation-landing');
      await ip.getByRole('link', { name: 'Create an account' }).click();
      await ip.getByLabel('Name').fill('Nina Newcomer');
      await ip.getByLabel('E-mail').fill(newcomer);
      await ip.getByLabel('Password').fill(PASSWORD);
      await ip.getByRole('button', { name: 'Create account' }).click();
      await ip.waitForURL(/\/invite\//);
      await ip.getByRole('button', { name: 'Accept invitation' }).click();
      await ip.waitForURL(new RegExp(`/p/${projectId}/traces`));
      await ip.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'API keys' }).waitFor();

      await page.reload();
      await page.getByRole('cell', { name: /^Nina Newcomer/ }).waitFor();
      expect((await page.getByRole('table', { name: 'Pending invitations' }).count()) === 0, 'the accepted invitation is still pending');

      // A revoked invitation's link says so.
      await form.getByLabel('E-mail to invite').fill(uniqueEmail('revoked'));
      await form.getByRole('button', { name: 'Send invitation' }).click();
      const revokedLink = ((await page.getByTestId('invite-link').textContent()) ?? '').trim();
      await page.getByRole('table', { name: 'Pending invitations' }).getByRole('button', { name: 'Revoke' }).click();
      await page.getByRole('button', { name: 'Revoke invitation' }).click();
      await page.getByText('Nobody is invited and waiting.').waitFor();
      const anon = await h.browser.newContext({ viewport: DESKTOP });
      const ap = await h.newPage(anon, 'revoked-link');
      await ap.goto(revokedLink.replace(/^https?:\/\/[^/]+/, h.url));
      await ap.getByText('This invitation is revoked').waitFor();

      // The audit log names people and keys, and filters by the actor's e-mail.
      await page.goto(`${h.url}/p/${projectId}/audit`);
      const table = page.locator('table.data');
      await table.getByRole('cell', { name: 'invitation.accept' }).waitFor();
      const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).slice(1, 4).map((td) => td.textContent ?? '').join(' | ')));
      expect(rows.every((r) => !UUID.test(r)), `raw ids in the audit log: ${rows.filter((r) => UUID.test(r)).join(' ; ')}`);
      expect(rows.some((r) => r.includes(newcomer) && r.includes('invitation.accept')), 'the acceptance is not shown by e-mail');
      await page.getByLabel('Actor e-mail').fill(newcomer);
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/actor=/);
      await page.waitForFunction(() => document.querySelectorAll('table.data tbody tr').length === 1);
      await h.screenshot(page, 'audit-log-names');
      await Promise.all([owner.close(), viewer.close(), invitee.close(), anon.close()]);
    },
  },
];
