package interceptor

// ScopeName is the instrumentation scope name of every span this package
// starts.
const ScopeName = "github.com/kafkatrace/kafkatrace/interceptor"

// Version is the version of kafkatrace, recorded as the instrumentation scope
// version.
const Version = "0.1.0"
