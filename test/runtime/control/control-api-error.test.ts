import { maxHeaderSize } from "node:http";
import { describe, expect, it } from "vitest";
import {
  ApiError,
  clientErrorOf,
  rawErrorResponse,
} from "../../../runtime/control/control-api-error.ts";

const parserError = (code: string, reason = "") =>
  Object.assign(new Error("Parse Error"), { code, reason });

describe("clientErrorOf", () => {
  it("maps what Node's HTTP parser rejects to documented errors", () => {
    expect(clientErrorOf(parserError("HPE_HEADER_OVERFLOW"))?.body()).toEqual({
      error: {
        code: "headers_too_large",
        message: `the request line and headers are over the limit of ${maxHeaderSize} bytes`,
      },
    });
    expect(clientErrorOf(parserError("HPE_HEADER_OVERFLOW"))?.status).toBe(431);
    expect(clientErrorOf(parserError("ERR_HTTP_REQUEST_TIMEOUT"))).toMatchObject({
      status: 408,
      code: "request_timeout",
    });
    expect(
      clientErrorOf(parserError("HPE_INVALID_METHOD", "Invalid method encountered")),
    ).toMatchObject({
      status: 400,
      code: "bad_request",
      message: "malformed HTTP request (HPE_INVALID_METHOD: Invalid method encountered)",
    });
  });

  it("has nobody to answer when the client is gone", () => {
    expect(clientErrorOf(parserError("ECONNRESET"))).toBeUndefined();
    expect(clientErrorOf(parserError("EPIPE"))).toBeUndefined();
  });
});

describe("rawErrorResponse", () => {
  it("is a complete HTTP/1.1 response with the JSON body and its byte length", () => {
    const text = rawErrorResponse(new ApiError(431, "headers_too_large", "too big: é"));
    const [head, body] = text.split("\r\n\r\n");
    expect(head).toBe(
      [
        "HTTP/1.1 431 Request Header Fields Too Large",
        "Content-Type: application/json; charset=utf-8",
        `Content-Length: ${Buffer.byteLength(body!)}`,
        "Connection: close",
      ].join("\r\n"),
    );
    expect(JSON.parse(body!)).toEqual({
      error: { code: "headers_too_large", message: "too big: é" },
    });
  });
});
