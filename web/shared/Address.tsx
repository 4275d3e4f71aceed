/**
 * An email address that may wrap after its "@" and nowhere else, so table columns stay as narrow
 * as the longer half and never split "example.com" in the middle.
 */
export function Address({ value }: { value: string }) {
  const at = value.lastIndexOf('@');
  if (at < 0) return <>{value}</>;
  return (
    <>
      {value.slice(0, at + 1)}
      <wbr />
      {value.slice(at + 1)}
    </>
  );
}
