import { domainOf, normalizeAddress, splitAddress } from '../../lambdas/core/addresses';

describe('addresses', () => {
  test('normalizeAddress trims and lower-cases', () => {
    expect(normalizeAddress('  Alice.Smith@Example.COM \n')).toBe('alice.smith@example.com');
  });

  test('splitAddress splits at the last @', () => {
    expect(splitAddress('Bob@Example.com')).toEqual({ localPart: 'bob', domain: 'example.com' });
    expect(splitAddress('"odd@local"@example.org')).toEqual({
      localPart: '"odd@local"',
      domain: 'example.org',
    });
    expect(domainOf(' X@Sub.Example.NET')).toBe('sub.example.net');
  });

  test.each(['', 'alice', '@example.com', 'alice@', '  @  '])('splitAddress refuses %j', (address) => {
    expect(() => splitAddress(address)).toThrow(/Not an email address/);
  });
});
