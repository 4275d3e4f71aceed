import { buildStack, logicalId, MANAGED_CONFIG } from './stack-fixture';

/** Links in mail (sign-in, invitations, fire drills) must point at the portal's public URL. */
const portalBaseUrls = (fixture: ReturnType<typeof buildStack>) => {
  const resources = fixture.template.toJSON().Resources;
  return [fixture.stack.api.consoleFunction, fixture.stack.api.portalFunction].map(
    (fn) => resources[logicalId(fn)].Properties.Environment.Variables.PORTAL_BASE_URL,
  );
};

test('with a custom domain, the console and portal functions link to it', () => {
  expect(portalBaseUrls(buildStack({ config: MANAGED_CONFIG }))).toEqual([
    'https://mail.example.net',
    'https://mail.example.net',
  ]);
});

test('without one, they link to the distribution’s own domain name', () => {
  const fixture = buildStack();
  const distributionId = logicalId(fixture.stack.web.distribution);
  const expected = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] };
  expect(portalBaseUrls(fixture)).toEqual([expected, expected]);
});
