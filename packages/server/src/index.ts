export { createServer, type ServerOptions } from "./createServer.ts";
