# switchyard_module(NAME DEPS ...): builds static library sy_NAME from NAME/*.cpp.
# The top-level source dir is the include root: #include "wire/packet.h".
function(switchyard_module name)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${name}/*.cpp)
  if(NOT srcs)
    set(stub ${CMAKE_CURRENT_BINARY_DIR}/${name}_empty.cpp)
    file(WRITE ${stub} "namespace switchyard { [[maybe_unused]] static int ${name}_module_empty; }\n")
    set(srcs ${stub})
  endif()
  add_library(sy_${name} STATIC ${srcs})
  target_include_directories(sy_${name} PUBLIC ${PROJECT_SOURCE_DIR} ${CLI11_INCLUDE_DIR})
  target_link_libraries(sy_${name} PUBLIC ${M_DEPS})
endfunction()
