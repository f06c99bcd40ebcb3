// A fresh directory under the system temp dir for one test, removed with everything in it.
#pragma once

#include <string>
#include <vector>

namespace flowjet::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  /// Path of `name` inside the directory.
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  /// Names of the entries in the directory (unordered).
  std::vector<std::string> listing() const;

 private:
  std::string path_;
};

}  // namespace flowjet::test
