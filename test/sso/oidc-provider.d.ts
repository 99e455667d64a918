// oidc-provider 9 ships no type declarations; the tests use a handful of its members.
declare module 'oidc-provider' {
  const Provider: any;
  export default Provider;
}
