#pragma once
// Descriptors a child process must not inherit. Asio opens sockets and files without
// O_CLOEXEC, so a child would keep the hub's listening sockets (and their ports) after the hub
// exits unless every descriptor above stderr is marked close-on-exec just before exec.

namespace phoenix::platform {

// Marks every descriptor from `first` upwards close-on-exec (not closed: a pipe the launcher
// still needs until exec survives). Async-signal-safe, for a forked child before exec.
// Linux uses close_range(2) where the kernel has it; elsewhere, and on older kernels, every
// descriptor up to the process's limit gets FD_CLOEXEC.
void mark_descriptors_cloexec_from(int first) noexcept;

}  // namespace phoenix::platform
