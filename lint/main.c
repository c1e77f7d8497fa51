#include "sendlint.h"
int main(void) { return 0; }
