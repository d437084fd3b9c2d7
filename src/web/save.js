/**
 * A download a browser could not get from a link (the token goes in a header): the fetched
 * answer handed to the browser as a file, under the name the service gives
 * (Content-Disposition), else `fallback`. Returns the name.
 */
export async function saveResponse(res, fallback) {
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? fallback;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
