// FakeNpm: the script, written once per instance, with its mode fixed in it.
#include "support/fake_npm.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace lenet::test {
namespace {

namespace fs = std::filesystem;

const char* action(FakeNpm::Mode mode) {
    switch (mode) {
        case FakeNpm::Mode::Pack: return "pack";
        case FakeNpm::Mode::FailOnce:
            return "[ -e \"$root/failed\" ] || { touch \"$root/failed\"; fail; }\npack";
        case FakeNpm::Mode::Fail: return "fail";
        case FakeNpm::Mode::NoTarball: return "exit 0";
        case FakeNpm::Mode::Corrupt: return "echo 'not a tarball' > \"$tarball\"";
        case FakeNpm::Mode::Slow: return "sleep 1.5\npack";
        case FakeNpm::Mode::Hang: return "echo $$ > \"$root/npm.pid\"\nexec sleep 60";
    }
    return "";
}

}  // namespace

lenet::DataPackage fakeDataPackage() {
    return {"Fake digits",
            "fake-data@1.0.0",
            "fake-data-1.0.0.tgz",
            0,
            {{"a.bin", "7ca46ed8705ae80e983715aa2d60e4c49c87465c9d9467cafddf02bfadf6fc77"},
             {"b.bin", "f957b19529906961933c5c30f8713c500a9bb5d9d0695c40d48c97a26a3594ec"}}};
}

FakeNpm::FakeNpm(const std::string& root, const std::string& tarball, Mode mode) : m_root(root) {
    fs::create_directories(fs::path(root) / "bin");
    fs::create_directories(fs::path(root) / "package" / "package" / "data");
    const std::string script = root + "/bin/npm";
    {
        std::ofstream out(script);
        out << "#!/bin/sh\n"
            << "root='" << root << "'\n"
            << "tarball='" << tarball << "'\n"
            << "echo \"$PWD $*\" >> \"$root/calls.txt\"\n"
            << "fail() { echo 'npm ERR! 404 Not Found - GET https://registry.npmjs.org/x' >&2; "
               "exit 1; }\n"
            << "pack() { tar -czhf \"$tarball\" -C \"$root/package\" package; }\n"
            << action(mode) << "\n";
    }
    ::chmod(script.c_str(), 0755);
}

void FakeNpm::addFile(const std::string& name, const std::string& bytes) const {
    std::ofstream(m_root + "/package/package/data/" + name, std::ios::binary) << bytes;
}

void FakeNpm::linkFile(const std::string& name, const std::string& path) const {
    fs::create_symlink(fs::absolute(path), m_root + "/package/package/data/" + name);
}

std::string FakeNpm::path() const {
    return m_root + "/bin:/usr/bin:/bin";
}

std::vector<std::string> FakeNpm::calls() const {
    std::vector<std::string> lines;
    std::ifstream in(m_root + "/calls.txt");
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string FakeNpm::pidFile() const {
    return m_root + "/npm.pid";
}

}  // namespace lenet::test
