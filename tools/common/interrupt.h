// Ctrl-C (SIGINT) and SIGTERM for long-running tools: the first signal only sets a flag, which the
// work loop polls to stop at a clean point (bin/train: after the current step, with a checkpoint);
// a second signal ends the process at once, as the default handling would. Work with nothing on
// disk yet may instead end at the first signal (exit_on_interrupt).
#pragma once

#include <atomic>

namespace flowjet::tools {

/// Installs the handlers. The first SIGINT or SIGTERM stores its number in the returned flag and
/// writes `notice` (one line) to stderr; the handler then resets itself to the default action.
const std::atomic<int>& install_interrupt_handler(const char* notice);

/// For work that writes nothing until it ends (bin/evaluate's reading and scoring): the first SIGINT
/// or SIGTERM writes `notice` (one line) to stderr and ends the process at once with
/// interrupted_exit_status(), as there is nothing to finish or clean up.
void exit_on_interrupt(const char* notice);

/// Back to the default action for both signals (for work that has no clean stopping point).
void restore_default_interrupt_handling();

/// The conventional exit status of a process ended by `signal_number`: 128 + the number.
int interrupted_exit_status(int signal_number);

}  // namespace flowjet::tools
