/**
 * Writes all of `text` to stdout before resolving. main() exits as soon as a command returns,
 * and a bare process.stdout.write to a pipe is cut at the pipe's buffer (64 KiB): `ivr check |
 * less` on a config of a thousand DIDs lost most of its lines.
 */
export async function writeOut(text: string): Promise<void> {
  await Bun.write(Bun.stdout, text);
}
