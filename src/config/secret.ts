/**
 * A secret in the config: a literal, or `${ENV_VAR}` to keep it out of the file. The config
 * object keeps the reference as written (so the per-call cache never holds a secret); it is
 * resolved when used.
 */
const REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export function secretReference(value: string): string | undefined {
  return REFERENCE.exec(value)?.[1];
}

/** The secret's value, or undefined when it refers to an environment variable that is not set. */
export function resolveSecret(value: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = secretReference(value);
  if (name === undefined) return value;
  const resolved = env[name];
  return resolved ? resolved : undefined;
}
