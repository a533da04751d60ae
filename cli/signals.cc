#include "signals.h"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

namespace codex_manager::cli {
namespace {

std::mutex& HandlerMutex() {
  static auto* mu = new std::mutex;  // never destroyed: used at exit
  return *mu;
}

std::function<void(int)>& Handler() {
  static auto* handler = new std::function<void(int)>;
  return *handler;
}

int interrupts = 0;  // guarded by HandlerMutex()

}  // namespace

void ExitNow(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}

void StartSignalThread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    for (;;) {
      int signal = 0;
      if (sigwait(&set, &signal) != 0) continue;
      std::lock_guard<std::mutex> lock(HandlerMutex());
      if (!Handler()) ExitNow(128 + SIGINT);
      Handler()(++interrupts);
    }
  }).detach();
}

InterruptScope::InterruptScope(std::function<void(int)> handler) {
  std::lock_guard<std::mutex> lock(HandlerMutex());
  Handler() = std::move(handler);
  interrupts = 0;
}

InterruptScope::~InterruptScope() {
  std::lock_guard<std::mutex> lock(HandlerMutex());
  Handler() = nullptr;
}

}  // namespace codex_manager::cli
