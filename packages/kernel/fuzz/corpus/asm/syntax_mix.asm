# every operand form the assembler reads
start:
mov32 %r0, 0
mov %r6, %r1
lddw %r1, map_fd 3
lddw %r2, map_value 4, 8
lddw %r3, 0x1122334455667788
movsx1664 %r4, %r3
sdiv32 %r4, -3
smod %r4, %r3
neg32 %r4
be16 %r4
le64 %r4
bswap32 %r4
ldabsh 12
ldindw %r4, -2
ldxsb %r5, [%r10-1]
stdw [%r10-16], -1
stxh [%r10-8], %r5
lock add [%r10-16], %r5
lock fetch or32 [%r10-8], %r5
lock xchg [%r10-16], %r5
lock cmpxchg [%r10-16], %r4
jsgt32 %r4, %r5, done
jset %r4, 0x80, +1
ja32 done
call local func
call 5
mov %r2, 6
callx %r2
done:
exit
func:
mov %r0, 1
ja -2
