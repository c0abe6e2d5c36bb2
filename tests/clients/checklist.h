// check(): prints "[CHECK_TAG] ok: NAME" or "[CHECK_TAG] FAIL: NAME: detail" and counts it in
// passed/failed. Shared by the C test programs (tests/clients, tests/integration); define
// CHECK_TAG before including it.
#ifndef SWITCHYARD_TESTS_CHECKLIST_H
#define SWITCHYARD_TESTS_CHECKLIST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int passed, failed;

static void check(const char* name, bool ok, const char* fmt, ...) {
  if (ok) {
    passed++;
    printf("[" CHECK_TAG "] ok: %s\n", name);
  } else {
    failed++;
    printf("[" CHECK_TAG "] FAIL: %s", name);
    if (fmt) {
      va_list ap;
      va_start(ap, fmt);
      printf(": ");
      vprintf(fmt, ap);
      va_end(ap);
    }
    printf("\n");
  }
  fflush(stdout);
}

#endif
