import { buildStack, logicalId, MANAGED_CONFIG } from './stack-fixture';

/**
 * Links in mail (sign-in, invitations, fire drills) must point at the portal's public URL; the
 * deliver function mails the links of large invitations and drills.
 */
const portalBaseUrls = (fixture: ReturnType<typeof buildStack>) => {
  const resources = fixture.template.toJSON().Resources;
  const { api, mailFlow } = fixture.stack;
  return [api.consoleFunction, api.portalFunction, mailFlow.deliverFunction].map(
    (fn) => resources[logicalId(fn)].Properties.Environment.Variables.PORTAL_BASE_URL,
  );
};

test('with a custom domain, the console, portal and deliver functions link to it', () => {
  expect(portalBaseUrls(buildStack({ config: MANAGED_CONFIG }))).toEqual([
    'https://mail.example.net',
    'https://mail.example.net',
    'https://mail.example.net',
  ]);
});

test('without one, they link to the distribution’s own domain name', () => {
  const fixture = buildStack();
  const distributionId = logicalId(fixture.stack.web.distribution);
  const expected = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] };
  expect(portalBaseUrls(fixture)).toEqual([expected, expected, expected]);
});
