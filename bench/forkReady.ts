// Benchmark servers run in child processes; this forks one and waits for its first IPC message
// ("ready"), keeping the tail of its stderr for error messages.
import { fork, type ChildProcess } from "node:child_process";

export interface ForkedServer {
  child: ChildProcess;
  /** The last 20,000 characters the child wrote to stderr. */
  stderr(): string;
}

export async function forkReady(script: string, name: string, options: { execArgv: string[]; env: NodeJS.ProcessEnv }): Promise<ForkedServer> {
  const child = fork(script, [], { execArgv: options.execArgv, env: options.env, stdio: ["ignore", "inherit", "pipe", "ipc"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 120 s:\n${stderr}`)), 120_000);
    child.once("message", () => {
      clearTimeout(timer);
      resolve();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${stderr}`));
    });
  });
  return { child, stderr: () => stderr };
}
