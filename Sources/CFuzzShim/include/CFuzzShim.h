// libFuzzer's driver, reached through a weak symbol: a normal build links without libFuzzer
// (and the Fuzz executable then replays files); a build with -sanitize=fuzzer gets the driver.
#ifndef C_FUZZ_SHIM_H
#define C_FUZZ_SHIM_H
#include <stddef.h>
#include <stdint.h>

typedef int (*cfuzz_callback)(const uint8_t *_Nullable data, size_t size);

/// 1 if this binary was linked with libFuzzer.
int cfuzz_available(void);
/// Runs libFuzzer with `argc`/`argv`; only call when `cfuzz_available()`.
int cfuzz_run_driver(int *_Nonnull argc, char *_Nullable *_Nullable *_Nonnull argv, cfuzz_callback _Nonnull callback);
#endif
