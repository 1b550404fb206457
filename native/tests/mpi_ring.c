/*
 * Test job for Open MPI: ranks pass a token around MPI_COMM_WORLD for ROUNDS rounds, every rank
 * adding (rank + 1), 100 ms per round. Rank 0 checks the value it gets back each round, prints
 * "rank 0 round <k> value <v>" and at the end "rank 0 done rounds <K> value <K*N(N+1)/2>"; a wrong
 * value prints "rank 0 wrong token ..." and aborts the job. A checkpoint that lost, repeated or
 * rewound a message therefore fails the job instead of quietly changing the sum.
 *
 *   mpi_ring [ROUNDS (default 100)]
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
    if (rounds < 1 || size < 2) {
        if (rank == 0)
            fprintf(stderr, "mpi_ring: needs ROUNDS >= 1 and at least 2 ranks\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    long per_round = (long)size * (size + 1) / 2;
    long token = 0;
    for (long round = 1; round <= rounds; round++) {
        if (rank == 0) {
            token = (round - 1) * per_round + 1;
            MPI_Send(&token, 1, MPI_LONG, 1, 0, MPI_COMM_WORLD);
            MPI_Recv(&token, 1, MPI_LONG, size - 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (token != round * per_round) {
                printf("rank 0 wrong token: expected %ld, got %ld\n", round * per_round, token);
                fflush(stdout);
                MPI_Abort(MPI_COMM_WORLD, 3);
            }
            printf("rank 0 round %ld value %ld\n", round, token);
            fflush(stdout);
        } else {
            MPI_Recv(&token, 1, MPI_LONG, rank - 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            token += rank + 1;
            MPI_Send(&token, 1, MPI_LONG, (rank + 1) % size, 0, MPI_COMM_WORLD);
        }
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 100 * 1000000L};
        nanosleep(&pause, NULL);
    }
    if (rank == 0)
        printf("rank 0 done rounds %ld value %ld\n", rounds, token);
    MPI_Finalize();
    return 0;
}
