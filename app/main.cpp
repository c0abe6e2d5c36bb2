// switchyard entry point: parses the command line and wires the modules together.
#include <cstdio>
int main() { std::puts("switchyard " SWITCHYARD_VERSION); return 0; }
