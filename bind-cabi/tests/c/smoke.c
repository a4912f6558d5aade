/* Calls every function of collatz.h from C, on success and on every failure path.
 * Built and run by tests/c_program.rs with the system C compiler; prints "ok" and exits 0. */
#include "collatz.h"

#include <stdio.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                     \
    do {                                                                \
        if (!(cond)) {                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,      \
                    __LINE__, #cond);                                   \
            failures++;                                                 \
        }                                                               \
    } while (0)

static int32_t count_progress(void *ctx, uint64_t done, uint64_t total) {
    (void)done;
    (void)total;
    *(uint64_t *)ctx += 1;
    return 0;
}

static int32_t stop_at_ten(void *ctx, uint64_t value) {
    (void)value;
    return ++*(uint64_t *)ctx >= 10;
}

static int message_contains(const char *needle) {
    char buf[256];
    size_t len = collatz_last_error_message(buf, sizeof buf);
    return len == strlen(buf) && strstr(buf, needle) != NULL;
}

int main(void) {
    /* Scalars: results, then the sentinel and the per-thread error on failure. */
    CHECK(collatz_step(27) == 82);
    CHECK(collatz_step(82) == 41);
    CHECK(collatz_step(0) == 0);
    CHECK(collatz_last_error() == COLLATZ_ERR_INVALID);
    CHECK(message_contains("got 0"));
    CHECK(collatz_step(UINT64_MAX) == 0);
    CHECK(collatz_last_error() == COLLATZ_ERR_OVERFLOW);
    CHECK(message_contains("18446744073709551615"));

    CHECK(collatz_iterate(27, 0) == 27);
    CHECK(collatz_iterate(27, 111) == 1);
    CHECK(collatz_iterate(27, 1000000) == 4 || collatz_iterate(27, 1000000) == 2 ||
          collatz_iterate(27, 1000000) == 1);
    CHECK(collatz_iterate(0, 5) == 0 && collatz_last_error() == COLLATZ_ERR_INVALID);
    CHECK(collatz_iterate(UINT64_MAX, 1) == 0 && collatz_last_error() == COLLATZ_ERR_OVERFLOW);

    CHECK(collatz_total_stopping_time(1) == 0);
    CHECK(collatz_total_stopping_time(27) == 111);
    CHECK(collatz_total_stopping_time(0) == COLLATZ_TOTAL_STOPPING_TIME_ERROR);
    CHECK(collatz_last_error() == COLLATZ_ERR_INVALID);
    CHECK(collatz_total_stopping_time(UINT64_C(7887663552367)) == 1563); /* climbs past UINT64_MAX */
    CHECK(collatz_iterate(UINT64_MAX - 1, 2) == 0);        /* the result does not fit */
    CHECK(collatz_last_error() == COLLATZ_ERR_OVERFLOW);

    /* Arrays: pointer + length, in place, and every rejected argument. */
    uint64_t values[4] = {1, 27, 6, 97};
    uint64_t out[4] = {0};
    CHECK(collatz_total_stopping_times(values, out, 4) == COLLATZ_OK);
    CHECK(out[0] == 0 && out[1] == 111 && out[2] == 8 && out[3] == 118);
    CHECK(collatz_total_stopping_times(values, values, 4) == COLLATZ_OK);
    CHECK(values[1] == 111);
    CHECK(collatz_total_stopping_times(NULL, NULL, 0) == COLLATZ_OK);
    CHECK(collatz_total_stopping_times(NULL, out, 4) == COLLATZ_ERR_ARGUMENT);
    CHECK(collatz_total_stopping_times(values, NULL, 4) == COLLATZ_ERR_ARGUMENT);
    CHECK(collatz_total_stopping_times(values, out, SIZE_MAX) == COLLATZ_ERR_ARGUMENT);
    CHECK(collatz_total_stopping_times(values, values + 1, 3) == COLLATZ_ERR_ARGUMENT);
    uint64_t bad[3] = {5, 0, 7};
    CHECK(collatz_total_stopping_times(bad, out, 3) == COLLATZ_ERR_INVALID);
    CHECK(message_contains("element 1"));

    uint64_t n = 0, steps = 0;
    CHECK(collatz_max_total_stopping_time(1000, NULL, NULL, &n, &steps) == COLLATZ_OK);
    CHECK(n == 871 && steps == 178);
    CHECK(collatz_max_total_stopping_time(1, NULL, NULL, &n, &steps) == COLLATZ_ERR_INVALID);
    CHECK(message_contains("limit must be >= 2, got 1"));
    CHECK(collatz_max_total_stopping_time(1000, NULL, NULL, NULL, &steps) == COLLATZ_ERR_ARGUMENT);

    /* Callbacks: progress and a visitor that stops the walk. */
    uint64_t calls = 0;
    CHECK(collatz_max_total_stopping_time(1000, count_progress, &calls, &n, &steps) == COLLATZ_OK);
    CHECK(calls >= 1 && n == 871);
    uint64_t out1 = 0;
    CHECK(collatz_iterate_polled(27, 111, count_progress, &calls, &out1) == COLLATZ_OK && out1 == 1);
    uint64_t seen = 0, count = 0;
    CHECK(collatz_walk(27, stop_at_ten, &seen, &count) == COLLATZ_STOPPED);
    CHECK(seen == 10 && count == 10);
    CHECK(collatz_walk(27, NULL, NULL, &count) == COLLATZ_ERR_ARGUMENT);

    /* Results the library allocates, and a trajectory handle. */
    uint64_t *values_out = NULL;
    size_t values_len = 0;
    CHECK(collatz_trajectory(27, &values_out, &values_len) == COLLATZ_OK);
    CHECK(values_len == 112 && values_out[0] == 27 && values_out[values_len - 1] == 1);
    collatz_free_values(values_out, values_len);
    CollatzTrajectory *t = collatz_trajectory_new(6);
    uint64_t sum = 0, x;
    while ((x = collatz_trajectory_next(t)) != 0) {
        sum += x;
    }
    CHECK(sum == 6 + 3 + 10 + 5 + 16 + 8 + 4 + 2 + 1);
    CHECK(collatz_trajectory_status(t) == COLLATZ_OK);
    CHECK(collatz_trajectory_position(t) == 9);
    collatz_trajectory_free(t);
    CHECK(collatz_trajectory_new(0) == NULL && collatz_last_error() == COLLATZ_ERR_INVALID);
    CollatzTrajectory *resumed = collatz_trajectory_resume(6, 4);
    CHECK(collatz_trajectory_next(resumed) == 16);
    collatz_trajectory_free(resumed);

    /* The message API: length only, truncation, and the last error staying put on success. */
    collatz_step(0);
    size_t len = collatz_last_error_message(NULL, 0);
    char small[4];
    CHECK(collatz_last_error_message(small, sizeof small) == len && strlen(small) == 3);
    CHECK(collatz_step(3) == 10 && collatz_last_error() == COLLATZ_ERR_INVALID);

    if (failures == 0) {
        puts("ok");
    }
    return failures == 0 ? 0 : 1;
}
