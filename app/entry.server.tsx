import type { Writable } from "node:stream";
import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { NonceContext } from "~/components/nonce";
// Registers every language's catalog once, at start.
import "~/i18n/i18n.server";
import { logger } from "~/logger.server";

const ABORT_DELAY = 5_000;
export const streamTimeout = ABORT_DELAY;

/**
 * Remix (with single fetch) reports every legacy `?_data=` request through
 * handleError as this warning; any client can send one, so it is no error of ours.
 */
const LEGACY_DATA_REQUEST = /^Warning: Single fetch-enabled apps should not be making \?_data requests/;

/** Server errors go to the structured log; aborted requests, unknown URLs (404s) and legacy data requests are not errors. */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  // Remix reports unknown URLs and bad methods as error responses with a 4xx status.
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === "number" && status < 500) return;
  if (error instanceof Error && LEGACY_DATA_REQUEST.test(error.message)) {
    logger.debug({ method: request.method, path: new URL(request.url).pathname }, "legacy ?_data request");
    return;
  }
  logger.error({ err: error, method: request.method, path: new URL(request.url).pathname }, "unhandled error");
};

/**
 * Renders the whole document into one buffer and answers with it. Every
 * loader has finished before rendering starts and no route defers data, so
 * streaming would only split the same bytes into many small writes (measured:
 * the stream plumbing cost more than the render). A route that starts to defer
 * slow data should bring streaming back.
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce ?? "";
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        onShellReady() {
          shellRendered = true;
        },
        onAllReady() {
          clearTimeout(timer);
          pipe(
            collector((body) => {
              responseHeaders.set("Content-Type", "text/html; charset=utf-8");
              resolve(new Response(body, { headers: responseHeaders, status: responseStatusCode }));
            }, reject),
          );
        },
        onShellError(error: unknown) {
          clearTimeout(timer);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors before the shell reject above and are logged by Remix.
          if (shellRendered) logger.error({ err: error }, "render error after the shell");
        },
      },
    );
    const timer = setTimeout(abort, ABORT_DELAY + 1000);
  });
}

/**
 * The smallest destination React's `pipe` writes to (write, end, destroy, on):
 * it keeps the chunks and hands over the whole document at the end. A Node
 * Writable did the same with more machinery per page, and its close event
 * after the end made React end it a second time (an error object per page).
 */
function collector(onEnd: (body: Buffer<ArrayBuffer>) => void, onError: (error: unknown) => void): Writable {
  const chunks: Uint8Array[] = [];
  const destination = {
    write(chunk: Uint8Array) {
      chunks.push(chunk);
      return true;
    },
    end() {
      onEnd(Buffer.concat(chunks));
    },
    destroy(error: unknown) {
      onError(error);
    },
    on() {
      return destination;
    },
  };
  return destination as unknown as Writable;
}
