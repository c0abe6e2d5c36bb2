// The I/O types of the data path, bound to io_context's own executor type rather than Asio's
// type-erased any_io_executor: every coroutine, socket and timer of a session lives on one
// io_context, and the erased executor cost ~1.2k of ~12.6k instructions per point select in
// copies and indirect calls (callgrind, session 5).
#pragma once

#include <utility>  // boost 1.74 awaitable.hpp needs std::exchange

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace switchyard::net {

using Executor = boost::asio::io_context::executor_type;
template <typename T>
using Task = boost::asio::awaitable<T, Executor>;
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;
using Acceptor = boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, Executor>;
using Timer = boost::asio::basic_waitable_timer<
    std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, Executor>;
// The completion token for awaiting an operation inside a Task.
inline constexpr boost::asio::use_awaitable_t<Executor> use_task;

}  // namespace switchyard::net
