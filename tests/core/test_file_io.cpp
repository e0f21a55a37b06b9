// Tests of the one reading path of core (InputFile, readFile): only regular files are read, what
// else a name may be is said, and a size limit holds before anything is read. Each case that
// once hung (a FIFO, /dev/zero) has ctest's time limit as its guard, not a timed assertion.
#include "lenet/error.h"
#include "lenet/file_io.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;
using lenet::FormatError;
using lenet::InputFile;
using lenet::IoError;
using lenet::test::expectError;
using lenet::test::TempDir;

namespace {

/// A file of `bytes` bytes that takes no disk space (its data reads as zeros).
void makeSparse(const std::string& path, std::uint64_t bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0) << path;
    ASSERT_EQ(::ftruncate(fd, off_t(bytes)), 0) << path;
    ::close(fd);
}

}  // namespace

TEST(InputFile, ReadsARegularFileAndKnowsItsSize) {
    TempDir dir("file_io");
    lenet::writeFileAtomically(dir.file("a"), "hello");
    InputFile in(dir.file("a"));
    EXPECT_EQ(in.size(), 5u);
    EXPECT_EQ(in.read(3), "hel");
    EXPECT_EQ(in.read(10), "lo");
    EXPECT_EQ(in.read(10), "");
    EXPECT_EQ(lenet::readFile(dir.file("a"), 5, "a test file may have"), "hello");
}

TEST(InputFile, AFifoIsRefusedWithoutBlocking) {
    TempDir dir("file_io");
    ASSERT_EQ(::mkfifo(dir.file("fifo").c_str(), 0644), 0);
    expectError<IoError>([&] { InputFile in(dir.file("fifo")); },
                         {dir.file("fifo") + ": is a FIFO, not a file"});
}

TEST(InputFile, DevZeroIsRefusedAsACharacterDevice) {
    expectError<IoError>([] { lenet::readFile("/dev/zero"); },
                         {"/dev/zero: is a character device, not a file"});
    TempDir dir("file_io");
    fs::create_symlink("/dev/zero", dir.file("zero.lenet"));
    expectError<IoError>([&] { InputFile in(dir.file("zero.lenet")); },
                         {dir.file("zero.lenet") + ": is a character device, not a file"});
}

TEST(InputFile, AFolderIsRefusedAsAFolder) {
    TempDir dir("file_io");
    expectError<IoError>([&] { lenet::readFile(dir.path()); },
                         {dir.path() + ": is a directory, not a file"});
}

TEST(InputFile, DanglingLinksAndLinkLoopsAreNamed) {
    TempDir dir("file_io");
    fs::create_symlink(dir.file("gone"), dir.file("dangling"));
    expectError<IoError>([&] { InputFile in(dir.file("dangling")); },
                         {dir.file("dangling") + ": is a dangling link (to " + dir.file("gone") +
                          ", which is missing)"});
    fs::create_symlink("loop", dir.file("loop"));
    expectError<IoError>([&] { InputFile in(dir.file("loop")); },
                         {dir.file("loop") + ": is a link loop"});
    expectError<IoError>([&] { InputFile in(dir.file("absent")); },
                         {dir.file("absent") + ": cannot open: No such file or directory"});
}

TEST(InputFile, AFileOverTheLimitIsRefusedBeforeItIsRead) {
    TempDir dir("file_io");
    makeSparse(dir.file("huge"), std::uint64_t(1) << 30);
    expectError<FormatError>(
        [&] { lenet::readFile(dir.file("huge"), 1 << 20, "a test file may have"); },
        {dir.file("huge") +
         ": the file is 1073741824 bytes (1 GiB), more than the 1048576 bytes (1 MiB) a test "
         "file may have"});
    // Without a limit of its own, readFile keeps to kMaxFileBytes.
    makeSparse(dir.file("over"), lenet::kMaxFileBytes + 1);
    expectError<FormatError>([&] { lenet::readFile(dir.file("over")); },
                             {dir.file("over") + ": the file is 268435457 bytes"});
}

TEST(InputFile, AFileWithoutASizeIsReadToTheLimit) {
    // /proc files say they are empty; what they hold is read, to the limit and one byte over.
    EXPECT_FALSE(lenet::readFile("/proc/self/status", 1 << 20, "").empty());
    expectError<FormatError>(
        [] { lenet::readFile("/proc/self/status", 8, "a test file may have"); },
        {"/proc/self/status: the file is 9 bytes, more than the 8 bytes"});
}
