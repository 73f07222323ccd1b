import NIOCore

/// Runs a task's jobs on one event loop: a connection's request handling then continues on the
/// thread that reads and writes its socket, instead of hopping to Swift's cooperative pool and
/// back for every request (measured: most of a kept-alive `/whoami`'s cost beyond TLS). Only for
/// servers whose handlers never block or compute for long, since everything else on that event
/// loop waits meanwhile: blocking work goes through ``BlockingWork`` or a database thread.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }
    }
}
