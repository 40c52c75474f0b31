/**
 * Raw HTTP/1.1 over a TCP socket, for requests no HTTP client would send (oversized headers, a
 * malformed request line) and for pipelining on one connection.
 */
import { connect, type Socket } from "node:net";

/** One response as read from the wire. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A connection that keeps everything it receives; `responses()` parses what came so far. */
export interface RawConnection {
  socket: Socket;
  send(text: string): void;
  /** Resolves when the server closed the connection. */
  closed: Promise<void>;
  received(): string;
  responses(): RawResponse[];
}

export function rawConnection(port: number): RawConnection {
  const socket = connect(port, "127.0.0.1");
  let data = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => (data += chunk));
  socket.on("error", () => {}); // the server may reset a connection it refused
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return {
    socket,
    send: (text) => socket.write(text),
    closed,
    received: () => data,
    responses: () => parseResponses(data),
  };
}

/** Sends `text` on a new connection and resolves with the responses once the server closes it. */
export async function rawExchange(port: number, text: string): Promise<RawResponse[]> {
  const connection = rawConnection(port);
  connection.send(text);
  await connection.closed;
  return connection.responses();
}

/** Responses with a Content-Length (what the control server sends), in order. */
function parseResponses(data: string): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = data;
  for (;;) {
    const end = rest.indexOf("\r\n\r\n");
    if (end < 0) return responses;
    const [statusLine = "", ...lines] = rest.slice(0, end).split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers["content-length"] ?? 0);
    const bodyBytes = Buffer.from(rest.slice(end + 4));
    if (bodyBytes.length < length) return responses;
    responses.push({
      status: Number(statusLine.split(" ")[1]),
      headers,
      body: bodyBytes.subarray(0, length).toString(),
    });
    rest = bodyBytes.subarray(length).toString();
  }
}
