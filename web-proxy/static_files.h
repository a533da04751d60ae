// The UI's static files as HTTP serves them (RFC 9110): which file a path
// names (never one outside the folder), its content type, a precompressed
// gzip variant chosen by Accept-Encoding (as nginx's gzip_static), and an
// entity tag for conditional GETs (If-None-Match → 304 Not Modified).
// File reads only; the proxy (http_session.cc) writes the response.
#ifndef CODEX_MANAGER_WEB_PROXY_STATIC_FILES_H_
#define CODEX_MANAGER_WEB_PROXY_STATIC_FILES_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace codex_manager::web {

// One response's worth of a static file.
struct StaticFile {
  std::string body;          // the bytes sent: gzip-compressed when `gzip`
  std::string content_type;  // of the file itself, e.g. "text/css; ..."
  bool gzip = false;         // the body is FILE.gz (Content-Encoding: gzip)
  std::string etag;          // a strong entity tag, quotes included
};

// The file `url_path` ("/", "/app.js", "/sessions/ses_1") names under
// `root`, read whole. "/" and paths with no extension that name no file
// are index.html (routes of the single-page UI). When `accepts_gzip` and
// FILE.gz exists beside it (inside `root`), that is the body instead.
// nullopt when there is no such file or the path leads outside `root`
// (`..`, a symlink out).
std::optional<StaticFile> ReadStaticFile(const std::filesystem::path& root,
                                         absl::string_view url_path,
                                         bool accepts_gzip);

// Whether an Accept-Encoding field value admits gzip (RFC 9110 12.5.3):
// `gzip` or `x-gzip`, else `*`, listed with a weight above 0. Tokens are
// case-insensitive; an empty or missing field admits only identity.
bool AcceptsGzip(absl::string_view accept_encoding);

// A strong entity tag for a file of `size` bytes last modified at
// `mtime_ns` (nanoseconds since the Unix epoch), both in hex, as nginx
// makes them (`"18eeb958d4d45d1c-74db3"`), with
// "-gz" for the gzip variant so the two representations never share one.
std::string EntityTag(uintmax_t size, int64_t mtime_ns, bool gzip);

// Whether If-None-Match's value matches `etag`, so a GET gets 304 (RFC
// 9110 13.1.2: `*`, or any listed tag equal by the weak comparison, W/
// ignored).
bool NoneMatch(absl::string_view if_none_match, absl::string_view etag);

// The Content-Type for a file by its extension; application/octet-stream
// for an unknown one.
std::string ContentTypeOf(const std::filesystem::path& path);

}  // namespace codex_manager::web

#endif  // CODEX_MANAGER_WEB_PROXY_STATIC_FILES_H_
