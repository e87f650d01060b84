/**
 * The HTTP status of a storage SDK call: its response status (2xx) when it succeeded, else the service's answer from
 * the RestError. Anything that is not a storage answer (a network error) is rethrown.
 */
export async function statusOf(call: () => Promise<unknown>): Promise<number> {
  try {
    const r = (await call()) as { _response?: { status: number } };
    return r?._response?.status ?? 200;
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === undefined) throw err;
    return status;
  }
}
