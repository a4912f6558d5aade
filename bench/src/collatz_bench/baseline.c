/* The plain C baseline: the obvious one-step-at-a-time loops, compiled with -O2 by the
 * benchmark at run time. Unchecked, as the blog's Go was: this is the speed of the naive
 * native code the Rust core is compared with, not an implementation of the contract. */
#include <stddef.h>
#include <stdint.h>

uint64_t plain_iterate(uint64_t n, uint64_t k) {
    for (uint64_t i = 0; i < k; i++) {
        n = (n & 1) ? 3 * n + 1 : n / 2;
    }
    return n;
}

uint64_t plain_total_stopping_time(uint64_t n) {
    uint64_t steps = 0;
    while (n != 1) {
        n = (n & 1) ? 3 * n + 1 : n / 2;
        steps++;
    }
    return steps;
}

void plain_total_stopping_times(const uint64_t *values, uint64_t *out, size_t len) {
    for (size_t i = 0; i < len; i++) {
        out[i] = plain_total_stopping_time(values[i]);
    }
}

void plain_max_total_stopping_time(uint64_t limit, uint64_t *n_out, uint64_t *steps_out) {
    uint64_t best_n = 1, best = 0;
    for (uint64_t n = 2; n < limit; n++) {
        uint64_t t = plain_total_stopping_time(n);
        if (t > best) {
            best = t;
            best_n = n;
        }
    }
    *n_out = best_n;
    *steps_out = best;
}
