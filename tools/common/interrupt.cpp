// Signal handlers that only record the request (everything in them is async-signal-safe).
#include "tools/common/interrupt.h"

#include <csignal>
#include <cstring>

#include <unistd.h>

namespace flowjet::tools {
namespace {

std::atomic<int> g_interrupt{0};
const char* g_notice = "";

extern "C" void on_interrupt(int signal_number) {
  g_interrupt.store(signal_number);
  std::signal(signal_number, SIG_DFL);  // a second signal takes the default action
  ssize_t ignored = ::write(STDERR_FILENO, g_notice, std::strlen(g_notice));
  (void)ignored;
}

extern "C" void exit_now(int signal_number) {
  ssize_t ignored = ::write(STDERR_FILENO, g_notice, std::strlen(g_notice));
  (void)ignored;
  ::_exit(interrupted_exit_status(signal_number));
}

}  // namespace

const std::atomic<int>& install_interrupt_handler(const char* notice) {
  static_assert(std::atomic<int>::is_always_lock_free, "the flag is written from a signal handler");
  g_notice = notice;
  g_interrupt.store(0);
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  return g_interrupt;
}

void exit_on_interrupt(const char* notice) {
  g_notice = notice;
  std::signal(SIGINT, exit_now);
  std::signal(SIGTERM, exit_now);
}

void restore_default_interrupt_handling() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

int interrupted_exit_status(int signal_number) { return 128 + signal_number; }

}  // namespace flowjet::tools
