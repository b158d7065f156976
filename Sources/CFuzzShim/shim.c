#include "CFuzzShim.h"

extern int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *, size_t))
    __attribute__((weak));

int cfuzz_available(void) { return LLVMFuzzerRunDriver != 0; }

int cfuzz_run_driver(int *argc, char ***argv, cfuzz_callback callback) {
    return LLVMFuzzerRunDriver(argc, argv, callback);
}
