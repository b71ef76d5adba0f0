import CLinearAlgebra

/// Makes OpenBLAS run on the calling thread only.
///
/// CityTwin parallelises across runs (sweep workers, one process each) and its dense problems
/// are small, so OpenBLAS's worker threads bring nothing; left alone they spin on the other
/// cores after a call (measured: ~9 % of a core throughout a power-flow series on a 2-core
/// machine), competing with the other sweep workers. `citytwin` calls this at start-up.
public func useSingleThreadedBLAS() {
    openblas_set_num_threads(1)
    // Setting the count does not stop the threads the library started when it was loaded.
    _ = blas_thread_shutdown_()
}
