#include "static_files.h"

#include <chrono>
#include <fstream>
#include <iterator>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace codex_manager::web {
namespace {

namespace fs = std::filesystem;

// Whether `path` (resolved) is `root` (resolved) or below it.
bool Within(const fs::path& root, const fs::path& path) {
  const std::string rel = path.lexically_relative(root).string();
  return !rel.empty() && !absl::StartsWith(rel, "..");
}

// `file` resolved (symlinks followed), if it is a regular file inside
// `root` (itself resolved).
std::optional<fs::path> Inside(const fs::path& root, const fs::path& file) {
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(file, ec);
  if (ec || !Within(root, resolved) || !fs::is_regular_file(resolved, ec)) {
    return std::nullopt;
  }
  return resolved;
}

// The whole of `file` and its entity tag; nullopt when it cannot be read.
std::optional<std::pair<std::string, std::string>> Read(const fs::path& file,
                                                        bool gzip) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(file, ec);
  if (ec) return std::nullopt;
  const fs::file_time_type mtime = fs::last_write_time(file, ec);
  if (ec) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::string body((std::istreambuf_iterator<char>(in)), {});
  if (in.bad()) return std::nullopt;
  const int64_t mtime_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::file_clock::to_sys(mtime).time_since_epoch())
          .count();
  return std::make_pair(std::move(body), EntityTag(size, mtime_ns, gzip));
}

}  // namespace

std::optional<StaticFile> ReadStaticFile(const fs::path& root,
                                         absl::string_view url_path,
                                         bool accepts_gzip) {
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(root, ec);
  if (ec) return std::nullopt;
  const absl::string_view name = absl::StripPrefix(url_path, "/");
  const fs::path asked = base / (name.empty() ? fs::path("index.html")
                                              : fs::path(std::string(name)));
  // A path that leads outside is not found, never a route of the UI.
  const fs::path resolved = fs::weakly_canonical(asked, ec);
  if (ec || !Within(base, resolved)) return std::nullopt;
  std::optional<fs::path> file;
  if (fs::is_regular_file(resolved, ec)) file = resolved;
  // Unknown paths without an extension are routes of the single-page UI.
  if (!file && !asked.has_extension()) file = Inside(base, base / "index.html");
  if (!file) return std::nullopt;

  StaticFile out;
  out.content_type = ContentTypeOf(*file);
  if (accepts_gzip) {
    fs::path gz = *file;
    gz += ".gz";
    if (std::optional<fs::path> variant = Inside(base, gz)) {
      if (auto read = Read(*variant, /*gzip=*/true)) {
        out.body = std::move(read->first);
        out.etag = std::move(read->second);
        out.gzip = true;
        return out;
      }
    }
  }
  auto read = Read(*file, /*gzip=*/false);
  if (!read) return std::nullopt;
  out.body = std::move(read->first);
  out.etag = std::move(read->second);
  return out;
}

bool AcceptsGzip(absl::string_view accept_encoding) {
  std::optional<bool> gzip;  // as gzip or x-gzip was listed
  bool any = false;          // as * was listed
  for (absl::string_view item : absl::StrSplit(accept_encoding, ',')) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, ';');
    const std::string coding =
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts[0]));
    double weight = 1;
    for (size_t i = 1; i < parts.size(); ++i) {
      absl::string_view param = absl::StripAsciiWhitespace(parts[i]);
      if (absl::ConsumePrefix(&param, "q=") ||
          absl::ConsumePrefix(&param, "Q=")) {
        if (!absl::SimpleAtod(param, &weight)) weight = 0;
      }
    }
    if (coding == "gzip" || coding == "x-gzip") {
      gzip = gzip.value_or(false) || weight > 0;
    } else if (coding == "*") {
      any = weight > 0;
    }
  }
  return gzip.value_or(any);
}

std::string EntityTag(uintmax_t size, int64_t mtime_ns, bool gzip) {
  return absl::StrCat("\"", absl::Hex(mtime_ns), "-", absl::Hex(size),
                      gzip ? "-gz" : "", "\"");
}

bool NoneMatch(absl::string_view if_none_match, absl::string_view etag) {
  const absl::string_view ours = absl::StripPrefix(etag, "W/");
  for (absl::string_view tag : absl::StrSplit(if_none_match, ',')) {
    tag = absl::StripAsciiWhitespace(tag);
    if (tag == "*") return true;
    if (!tag.empty() && absl::StripPrefix(tag, "W/") == ours) return true;
  }
  return false;
}

std::string ContentTypeOf(const fs::path& path) {
  const std::string ext = absl::AsciiStrToLower(path.extension().string());
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".webmanifest") return "application/manifest+json";
  if (ext == ".woff2") return "font/woff2";
  return "application/octet-stream";
}

}  // namespace codex_manager::web
