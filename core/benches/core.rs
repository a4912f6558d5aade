//! The native baseline: what each core function costs with no binding in the way, next to
//! the plain one-step-at-a-time loop (`collatz_core::plain`) it is measured against.
//!
//! Run with `cargo bench -p collatz-core` (or `make bench-core`).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn scalar(c: &mut Criterion) {
    let mut g = c.benchmark_group("step");
    g.throughput(Throughput::Elements(1));
    g.bench_function("step(27)", |b| b.iter(|| collatz_core::step(black_box(27))));
    g.finish();

    let mut g = c.benchmark_group("total_stopping_time");
    g.throughput(Throughput::Elements(111));
    g.bench_function("core/27", |b| {
        b.iter(|| collatz_core::total_stopping_time(black_box(27)))
    });
    g.bench_function("plain/27", |b| {
        b.iter(|| collatz_core::plain::total_stopping_time_from(black_box(27)));
    });
    g.finish();
}

fn iterate(c: &mut Criterion) {
    const K: u64 = 1_000_000;
    let mut g = c.benchmark_group("iterate");
    // Per-element throughput is per step: criterion reports ns per step directly.
    g.throughput(Throughput::Elements(K));
    g.bench_function(BenchmarkId::new("core", "27, 10^6"), |b| {
        b.iter(|| collatz_core::iterate(black_box(27), black_box(K)));
    });
    g.bench_function(BenchmarkId::new("plain", "27, 10^6"), |b| {
        b.iter(|| collatz_core::plain::iterate_from(black_box(27), black_box(K)));
    });
    g.finish();
}

fn bulk(c: &mut Criterion) {
    const N: u64 = 1_000_000;
    let values: Vec<u64> = (1..=N).collect();
    let mut out = vec![0; values.len()];
    let mut g = c.benchmark_group("total_stopping_times");
    g.sample_size(20);
    g.throughput(Throughput::Elements(N));
    g.bench_function(BenchmarkId::new("core", "1..=10^6"), |b| {
        b.iter(|| collatz_core::total_stopping_times(black_box(&values), &mut out));
    });
    g.bench_function(BenchmarkId::new("plain", "1..=10^6"), |b| {
        b.iter(|| {
            for (o, &v) in out.iter_mut().zip(black_box(&values)) {
                *o = collatz_core::plain::total_stopping_time_from(v).unwrap_or(0);
            }
        });
    });
    g.finish();

    let mut g = c.benchmark_group("max_total_stopping_time");
    g.sample_size(10);
    g.throughput(Throughput::Elements(N));
    g.bench_function(BenchmarkId::new("core", "10^6"), |b| {
        b.iter(|| collatz_core::max_total_stopping_time(black_box(N)));
    });
    g.finish();
}

criterion_group!(benches, scalar, iterate, bulk);
criterion_main!(benches);
