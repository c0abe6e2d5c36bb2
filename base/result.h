// Result<T>: a value or an Error, returned at module edges instead of throwing.
// A tiny stand-in for C++23 std::expected; owns its value or its error.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace switchyard {

struct Error {
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void> equivalent: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error.message)) {}
  static Status Ok() { return {}; }
  bool ok() const { return !error_; }
  explicit operator bool() const { return ok(); }
  Error error() const { return {error_ ? *error_ : std::string()}; }

 private:
  // Empty when ok: the data path passes ok Statuses around on every packet, and moving one
  // then moves no string.
  std::optional<std::string> error_;
};

inline Error MakeError(std::string message) { return Error{std::move(message)}; }

}  // namespace switchyard
