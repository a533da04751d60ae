#include "terminal_text.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ext/stdio_sync_filebuf.h>
#include <iostream>
#include <string>
#include <string_view>

#include "common/visible_text.h"

namespace codex_manager::cli {
namespace {

// Where a terminal's text goes once shown: its file descriptor.
struct Sink {
  int fd;
  VisibleText text;
};

ssize_t WriteShown(void* cookie, const char* data, size_t size) {
  auto* sink = static_cast<Sink*>(cookie);
  std::string shown;
  sink->text.Filter(std::string_view(data, size), &shown);
  size_t done = 0;
  while (done < shown.size()) {
    const ssize_t n =
        ::write(sink->fd, shown.data() + done, shown.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(size);
}

// The sinks of standard output and standard error, once routed. Never
// freed: std::cout and the C library flush through them at exit, after
// static destructors ran. Held here because LeakSanitizer does not find
// them through the FILE fopencookie makes (it reported them leaked).
Sink* routed[2] = {nullptr, nullptr};

// Points `*stream` and `streams` at a FILE that writes what is shown of
// its text to `fd` (1 or 2), buffered as `mode` says (_IOLBF, _IONBF).
void Route(FILE** stream, int fd, int mode,
           std::initializer_list<std::ostream*> streams) {
  if (!isatty(fd) || routed[fd - 1] != nullptr) return;
  std::fflush(*stream);
  routed[fd - 1] = new Sink{fd, {}};
  FILE* shown =
      fopencookie(routed[fd - 1], "w",
                  cookie_io_functions_t{nullptr, WriteShown, nullptr, nullptr});
  if (shown == nullptr) {
    delete routed[fd - 1];
    routed[fd - 1] = nullptr;
    return;
  }
  std::setvbuf(shown, nullptr, mode, mode == _IONBF ? 0 : BUFSIZ);
  *stream = shown;
  auto* buffer = new __gnu_cxx::stdio_sync_filebuf<char>(shown);
  for (std::ostream* os : streams) os->rdbuf(buffer);
}

}  // namespace

void ShowTerminalTextOnly() {
  Route(&stdout, STDOUT_FILENO, _IOLBF, {&std::cout});
  Route(&stderr, STDERR_FILENO, _IONBF, {&std::cerr, &std::clog});
}

}  // namespace codex_manager::cli
