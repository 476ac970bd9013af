/*
 * The deploy protocol of FrontendOps, as implemented: the per-stack lock (a lease on
 * locks/<stack>.json), its fences, and the release journal (releases/<stack>/current.json), with
 * N deployers that crash and restart at any step, S3's conditional writes, and lock expiry judged
 * by S3's clock while the deployers' own clocks are 20 minutes off. docs/protocol.md explains it;
 * test/integration/model/spin.test.ts runs it in `npm test`.
 *
 *   spin -a deploy-protocol.pml && gcc -O2 -DSAFETY -o pan pan.c && ./pan        the assertions
 *   spin -a -DLIVENESS deploy-protocol.pml && gcc -O2 -o pan pan.c && ./pan -a -f   releaseSettles
 *   spin -a -DNO_FENCING …     broken on purpose: fenceLock checks nothing
 *   spin -a -DREADER_CLOCK …   broken on purpose: expiry judged by the reader's clock
 *
 * Properties
 *   noOverlappingIrreversibleSteps (assertion): every irreversible step — the index.html copy, a
 *     prune, a release-record write, the tag, deployments.json — lands while S3's lock is the
 *     version its own run wrote. So the irreversible steps of two runs never interleave, and a run
 *     whose lock was taken over never performs another one.
 *   liveIndexAssetsNeverDeleted (assertion): index.html goes live only when the file it references
 *     is in the hosting bucket, and a prune never deletes the file the live index.html references.
 *   releaseSettles (LTL, -DLIVENESS, weak fairness): a release journaled `pending` is eventually
 *     `complete` or replaced by a newer one (it then ends rolled back), once faults stop.
 *
 * Each step is named after the TypeScript function that implements it (labels, inlines, proctypes):
 *
 *   model step                agent/src/deploy/…
 *   ----------------------    ------------------------------------------------------------------
 *   deployer, runDeploy       pipeline.ts        runDeploy
 *   planNow                   pipeline.ts        runDeploy › planNow (readJournal ‖ listHosting)
 *   readJournal               releases.ts        readJournal (GetObject current.json and its ETag)
 *   listHosting               listing.ts         listHosting (ListObjectsV2 of the hosting bucket)
 *   planRelease               release-plan.ts    planRelease, journalActionFor; plan.ts planDeploy
 *   acquireDeployLock         lock.ts            acquireDeployLock (create If-None-Match: *, read,
 *                                                 take over If-Match on the ETag read)
 *   isLockExpired             lock.ts            isLockExpired, lockAge (S3's Date − Last-Modified)
 *   replanLocked              pipeline.ts        runDeploy › replanLocked (same journal ETag, same plan)
 *   runLocked                 pipeline.ts        runLocked
 *   journalRelease            release-steps.ts   journalRelease, pendingRecord
 *   writeRecord               release-steps.ts   writeRecord (lock.fence, then writeJournal)
 *   writeJournal              releases.ts        writeJournal (PutObject If-Match: the journal's ETag)
 *   advanceRelease            release-steps.ts   advanceRelease
 *   copyRelease               release-steps.ts   copyRelease; executor.ts executeCopies (phases)
 *   executeCopies             executor.ts        executeCopies (keepAlive before each copy)
 *   copyFile                  copy.ts            copyFile (CopyObject)
 *   invalidateRelease         release-steps.ts   invalidateRelease (the CDN invalidation and its wait)
 *   checkRelease              release-steps.ts   checkRelease (version.json, the health check)
 *   tagDeployedRelease        release-steps.ts   tagDeployedRelease
 *   pruneRelease              release-steps.ts   pruneRelease; prune.ts deleteSiteFiles
 *   publishHistory            release-steps.ts   publishHistory; deployments-doc.ts publishDeployments
 *   completeRelease           release-steps.ts   completeRelease
 *   recordFailure             release-steps.ts   recordFailure (advanceRelease's catch)
 *   releaseLock               lock.ts            holdLock › release (DeleteObject If-Match)
 *   lockLost                  lock.ts            holdLock › lose (LOCK_LOST)
 *   journalChanged            releases.ts        journalChanged (LOCK_LOST from writeJournal)
 *   renewLock                 lock.ts            holdLock › renewLock (PutObject If-Match: own ETag)
 *   renewTimer                lock.ts            holdLock › scheduleRenewal (every TTL/3)
 *   checkLease                lock.ts            handle.checkLease (renews past 2/3 TTL)
 *   fenceLock                 lock.ts            handle.fence (FENCE_WINDOW_MS, else a renewal)
 *   clock                     S3's clock (Last-Modified, Date) and each deployer's monotonic clock
 *
 * Abstractions, and why they keep the properties meaningful
 *   - One stack; a site of index.html (its content names its commit) and one content-hashed asset
 *     per commit. Commit 0 is live and complete at the start. Each deployer is asked for one commit
 *     and retries (the timer, a person) until its deploy is done or the commit is live: deployers
 *     0 and 2 for commit 1, deployer 1 for commit 2 (with -DCOMMITS=1, all for commit 1). A
 *     rollback is the same code path: a deploy of an older commit. keepReleases = 1 with --delete: the most
 *     aggressive prune the engine can be configured for.
 *   - Time in ticks: TTL = 3, renewal every TTL/3 = 1, lease 2/3 TTL = 2, fence window 1. S3's Date
 *     and Last-Modified have whole seconds; a reader sees a lock expired at the earliest moment
 *     that rounding allows (a full TTL plus a tick after its last write), which gives readers more
 *     takeovers than S3 ever does. Ages saturate past the last threshold.
 *   - Every S3 request is one atomic step whose answer arrives; a crash can fall between any two.
 *     Lost answers and their retries (the read-back of a write that landed) are not modelled.
 *   - ETags: a deployer remembers whether the version it last read or wrote is still current; any
 *     write makes every other deployer's memory stale. That is what If-Match decides on (an ETag is
 *     never reused here: every lock and record write carries a new time).
 *   - Timing assumption, the protocol's own: a request guarded by a fence reaches S3 within
 *     SEND_DELAY ticks of the fence, before the lease the fence proved can run out (SEND_DELAY <=
 *     TTL). A lease cannot stop a request already on its way. Anywhere else a deployer (and its
 *     renewal timer) may stall for any time until faults stop.
 *   - Not modelled: the CDN (the invalidation is one step), history entries and the content of
 *     deployments.json (decisions read current.json only), confirmation prompts (deployers run
 *     with --yes), `frontendops unlock --force`, the automatic rollback after a failed health
 *     check, more than one asset per release.
 */

#ifndef N
#define N 2
#endif
#ifndef COMMITS
#define COMMITS 2        /* 2: deployers ask for different commits; 1: all for the same one */
#endif
#ifndef FAULTS
#define FAULTS 1         /* crashes and failed steps, together */
#endif

/* Lock timing, in ticks (lock.ts). */
#define TTL 3            /* lockTtlSeconds */
#define RENEW_EVERY 1    /* renewEveryMs = TTL / 3 */
#define LEASE 2          /* leaseMs = 2 TTL / 3 */
#define FENCE_WINDOW 1   /* FENCE_WINDOW_MS */
#ifndef SEND_DELAY
#define SEND_DELAY 2     /* the timing assumption: at most TTL */
#endif
#define MAXAGE 4         /* TTL + 1: a lock this old may be seen expired */
#define MAXCONF 2        /* past every lease threshold */
#define SKEW 20          /* minutes; the ticks are seconds, but only the sign matters */

/* Release steps (schemas.ts RELEASE_STEPS), as bits of a record's `steps`. */
#define COPIED 1
#define INVALIDATED 2
#define VERIFIED 4
#define TAGGED 8
#define PRUNED 16
#define PUBLISHED 32
#define ALL_STEPS 63

/* ---- the artifacts bucket: locks/<stack>.json ---- */
bool lock_present = false;
byte lock_age = 0;         /* S3's Date − the lock's Last-Modified: S3's clock only */
bool lock_etag[N];         /* the ETag deployer d remembers is the lock's current one */
byte lock_writer = 0;      /* ghost: d + 1 of the run that wrote the current version */
#ifdef READER_CLOCK
short lock_skew = 0;       /* the writer's clock offset, in the renewedAt/expiresAt it wrote */
#endif

/* ---- the artifacts bucket: releases/<stack>/current.json, the release journal ---- */
byte j_commit = 0;
bool j_pending = false;    /* status pending (else complete) */
byte j_steps = ALL_STEPS;
bool j_etag[N];            /* the ETag deployer d remembers is the journal's current one */
#ifdef LIVENESS
bit j_release = 0;         /* ghost: flips with every new record, to tell releases apart */
#endif

/* ---- the hosting bucket ---- */
byte assets = 1;           /* bit x: the asset of commit x is there */
byte index = 0;            /* the commit whose index.html is live */

/* ---- each deployer's lock handle (holdLock) and clocks ---- */
bool holding[N];
bool lost[N];
byte conf_age[N];          /* monotonic time since its last successful lock write was sent */
bool fenced[N];            /* between a passed fence and the request it guards */
short skew[N];             /* its wall clock minus S3's: written into the lock for people */

/* ---- faults ---- */
bool calm = false;         /* no more crashes, failed steps or stalls */
byte faults = FAULTS;

/* ---- the properties ---- */
bool noOverlappingIrreversibleSteps = true;
bool liveIndexAssetsNeverDeleted = true;

/* A write of the lock by deployer d (create, takeover, renewal): every other remembered ETag is stale. */
inline lockWrite() {
  lock_present = true;
  lock_age = 0;
  lock_writer = d + 1;
#ifdef READER_CLOCK
  lock_skew = skew[d];
#endif
  for (i : 0 .. N - 1) {
    lock_etag[i] = false
  }
  i = 0;
  lock_etag[d] = true;
  conf_age[d] = 0
}

/* renewLock: PutObject If-Match on the holder's last ETag; a failed condition loses the lock for good. */
inline renewLock() {
  if
  :: lock_present && lock_etag[d] -> lockWrite()
  :: else -> lost[d] = true
  fi
}

/* isLockExpired: S3's Date − Last-Modified > TTL + a second, both dates rounded to the second. */
inline isLockExpired() {
#ifdef READER_CLOCK
  /* The rule this protocol replaced: the reader's own clock against the holder's expiresAt. */
  expired = (skew[d] + lock_age > lock_skew + TTL)
#else
  expired = (lock_age > TTL)
#endif
}

/*
 * A crash (kill -9) before the write that follows it: the run's memory is gone, S3 keeps the rest.
 * Only writes need one: a crash just after a read is the same as a crash just before it.
 */
inline crashPoint() {
  if
  :: !calm && faults > 0 -> faults--; goto crash
  :: true
  fi
}

/* The request is irreversible: it must land while S3's lock is the version this run wrote. */
inline irreversible() {
  noOverlappingIrreversibleSteps = (lock_present && lock_writer == d + 1);
  assert(noOverlappingIrreversibleSteps);
  fenced[d] = false
}

/* checkLease: no request while the lease is fresh; otherwise a renewal. */
inline checkLease() {
  if
  :: lost[d] -> goto lockLost
  :: !lost[d] && conf_age[d] < LEASE
  :: atomic {
      !lost[d] && conf_age[d] >= LEASE ->
      crashPoint();
      renewLock();
      if
      :: lost[d] -> goto lockLost
      :: else
      fi
    }
  fi
}

/* fenceLock: proves the lock is still held, just before an irreversible request. */
inline fenceLock() {
#ifndef NO_FENCING
  if
  :: lost[d] -> goto lockLost
  :: atomic { !lost[d] && conf_age[d] < FENCE_WINDOW -> fenced[d] = true }
  :: atomic {
      !lost[d] && conf_age[d] >= FENCE_WINDOW ->
      crashPoint();
      renewLock();
      if
      :: lost[d] -> goto lockLost
      :: else -> fenced[d] = true
      fi
    }
  fi
#else
  skip                                     /* the broken variant: no check at all */
#endif
}

/* readJournal: current.json and its ETag. */
inline readJournal() {
  p_commit = j_commit;
  p_pending = j_pending;
  p_steps = j_steps;
  j_etag[d] = true
}

/* listHosting: what the hosting bucket holds. */
inline listHosting() {
  p_assets = assets;
  p_index = index
}

/* planNow: readJournal and listHosting run concurrently (Promise.all): either may answer first. */
inline planNow() {
  if
  :: atomic { readJournal() }; atomic { listHosting() }
  :: atomic { listHosting() }; atomic { readJournal() }
  fi
}

/*
 * planRelease (pure): journalActionFor and planDeploy, with keepReleases 1 and --delete. Only the
 * plan is kept: whether to journal a new record (new, supersede) or to finish the journal's own
 * (finish: its steps become the run's), whether to copy the asset and index.html, what to delete.
 */
inline planRelease() {
  d_step {
    newRecord = !(p_pending && p_commit == c);
    r_steps = (newRecord -> 0 : p_steps);
    /* A file is unchanged only when the record describes it with the ETag of its copy. */
    copyAsset = !((p_assets & (1 << c)) != 0 && p_commit == c && (p_steps & COPIED) != 0);
    copyIndex = !(p_index == c && p_commit == c && (p_steps & COPIED) != 0);
    deleteMask = p_assets & ~(1 << c);
    noop = (!p_pending && p_commit == c && !copyAsset && !copyIndex);
    p_commit = 0; p_pending = false; p_steps = 0; p_assets = 0; p_index = 0
  }
}

/* writeJournal: PutObject If-Match on the journal ETag this run last read or wrote. */
inline writeJournal(pending, steps) {
  atomic {
    crashPoint();
    if
    :: j_etag[d] ->
      irreversible();
      j_commit = c;
      j_pending = pending;
      j_steps = steps;
      for (i : 0 .. N - 1) {
        j_etag[i] = false
      }
      i = 0;
      j_etag[d] = true
    :: else -> goto journalChanged
    fi
  }
}

/* writeRecord: fenceLock, then writeJournal. */
inline writeRecord(pending, steps) {
  fenceLock();
  writeJournal(pending, steps)
}

proctype deployer(byte d) {
  byte i, c, p_commit, p_steps, p_assets, p_index, deleteMask, r_steps;
  bool p_pending, newRecord, copyAsset, copyIndex, noop, expired, unchanged, satisfied;

runDeploy:
  atomic {
    holding[d] = false; lost[d] = false; fenced[d] = false; conf_age[d] = 0;
    lock_etag[d] = false; j_etag[d] = false;
    p_commit = 0; p_pending = false; p_steps = 0; p_assets = 0; p_index = 0;
    c = 0; deleteMask = 0; r_steps = 0; newRecord = false; copyAsset = false; copyIndex = false;
    noop = false; expired = false; unchanged = false; satisfied = false;
    /* Deployer 0 (and 2) asks for commit 1, deployer 1 for commit 2 (COMMITS=1: all for commit 1). */
#if COMMITS == 1
    c = 1
#else
    c = (d % 2) + 1
#endif
  }
  planNow();
  planRelease();
  if
  :: noop -> goto end_deployed            /* "Nothing to do": the commit is live and complete */
  :: else
  fi;

acquireDeployLock:
  atomic {
    crashPoint();
    if
    :: !lock_present ->                    /* store.create, If-None-Match: * */
      lockWrite();
      holding[d] = true;
      goto replanLocked
    :: else
    fi
  }
  atomic {
    if
    :: !lock_present -> goto runDeploy     /* store.read: released meanwhile, race again */
    :: else ->
      lock_etag[d] = true;
      isLockExpired();
      if
      :: !expired -> goto runDeploy        /* DEPLOY_IN_PROGRESS: asked again later */
      :: else -> expired = false
      fi
    fi
  }
  atomic {
    crashPoint();
    if
    :: lock_present && lock_etag[d] ->     /* store.replace, If-Match on the ETag read: takeover */
      lockWrite();
      holding[d] = true
    :: else -> goto runDeploy              /* another deployer won the race */
    fi
  }

replanLocked:
  /* The journal's ETag unchanged since the plan: no deploy changed anything, so the plan stands. */
  atomic {
    unchanged = j_etag[d];
    readJournal();
    p_commit = 0; p_pending = false; p_steps = 0;
    if
    :: unchanged -> unchanged = false; goto runLocked
    :: else
    fi
  }
  planNow();
  planRelease();
  if
  :: noop -> satisfied = true; goto releaseLock
  :: else
  fi;

runLocked:
  if
  :: atomic { newRecord -> newRecord = false } ->
journalRelease:
    writeRecord(true, 0);
#ifdef LIVENESS
    j_release = 1 - j_release;
#endif
    skip
  :: else                                  /* finish the journal's release: its missing steps */
  fi;

advanceRelease:
copyRelease:
  if
  :: (r_steps & COPIED) == 0 ->
    if
    :: atomic { copyAsset -> copyAsset = false } ->
executeCopies:
      checkLease();                        /* keepAlive, before every copy */
copyFile:
      atomic {
        crashPoint();
        assets = assets | (1 << c)         /* copyFile: not fenced, may land after the lock is lost */
      }
    :: else
    fi;
    if
    :: atomic { copyIndex -> copyIndex = false } ->
      fenceLock();                         /* beforePhase('index') */
      checkLease();
      atomic {
        crashPoint();
        irreversible();                    /* copyFile, index.html: the index phase */
        liveIndexAssetsNeverDeleted = ((assets & (1 << c)) != 0);
        assert(liveIndexAssetsNeverDeleted);
        index = c
      }
    :: else
    fi;
    r_steps = r_steps | COPIED;
    writeRecord(true, r_steps)
  :: else -> copyAsset = false; copyIndex = false
  fi;

invalidateRelease:
  if
  :: (r_steps & INVALIDATED) == 0 ->
    if
    :: atomic { !calm && faults > 0 -> faults--; goto recordFailure }  /* INVALIDATION_FAILED */
    :: true
    fi;
    checkLease();
    r_steps = r_steps | INVALIDATED
  :: else
  fi;

checkRelease:
  if
  :: (r_steps & VERIFIED) == 0 ->
    checkLease();                          /* after version.json and the health check, through the edge */
    r_steps = r_steps | VERIFIED
  :: else
  fi;

tagDeployedRelease:
  if
  :: (r_steps & TAGGED) == 0 ->
    fenceLock();
    atomic {
      crashPoint();
      irreversible();                      /* the deploy tag, through the github MCP server */
      r_steps = r_steps | TAGGED
    }
    writeRecord(true, r_steps)
  :: else
  fi;

pruneRelease:
  if
  :: (r_steps & PRUNED) == 0 && deleteMask != 0 ->
    fenceLock();                           /* deleteSiteFiles' beforeBatch */
    atomic {
      crashPoint();
      irreversible();                      /* DeleteObjects */
      liveIndexAssetsNeverDeleted = ((deleteMask & (1 << index)) == 0);
      assert(liveIndexAssetsNeverDeleted);
      assets = assets & ~deleteMask;
      deleteMask = 0;
      r_steps = r_steps | PRUNED
    }
  :: else -> d_step { deleteMask = 0; r_steps = r_steps | PRUNED }  /* nothing to delete */
  fi;

publishHistory:
  if
  :: (r_steps & PUBLISHED) == 0 ->
    fenceLock();
    atomic {
      crashPoint();
      irreversible();                      /* deployments.json into the hosting bucket */
      r_steps = r_steps | PUBLISHED
    }
  :: else
  fi;

completeRelease:
  writeRecord(false, ALL_STEPS);
  satisfied = true;
  goto releaseLock;

recordFailure:
  /* The release stays pending with what it did; the lock is released; a later run finishes it. */
  writeRecord(true, r_steps);
  goto releaseLock;

journalChanged:                            /* LOCK_LOST from writeJournal: the handle itself holds on */
lockLost:
releaseLock:
  atomic {
    crashPoint();
    if
    :: !lost[d] && lock_present && lock_etag[d] ->
      lock_present = false;
      lock_age = 0;
      lock_writer = 0;
#ifdef READER_CLOCK
      lock_skew = 0;
#endif
      for (i : 0 .. N - 1) {
        lock_etag[i] = false
      }
      i = 0
    :: else                                /* lost: never delete a lock someone else holds */
    fi;
    holding[d] = false;
    if
    :: satisfied -> goto end_deployed
    :: else -> goto runDeploy              /* incomplete or LOCK_LOST: the next run finishes it */
    fi
  }

crash:
  goto runDeploy;

end_deployed:
  /* Deployed, or already live: this deployer's request is answered. */
  skip
}

/* renewTimer: the holder's timer renews every TTL/3, whatever its deployer is doing. */
proctype renewTimer(byte d) {
  byte i;
  do
  :: atomic { holding[d] && !lost[d] && conf_age[d] >= RENEW_EVERY -> renewLock() }
  od
}

/*
 * clock: a tick of S3's clock and of every deployer's monotonic clock (one rate; wall-clock offsets
 * are in skew[]). A tick never carries a fenced request past SEND_DELAY (the timing assumption).
 * Once calm, every holder's renewal timer fires on time: no more stalls.
 */
#define tickOk(k) (!(fenced[k] && conf_age[k] >= SEND_DELAY) && \
                   (!calm || !(holding[k] && !lost[k] && conf_age[k] >= RENEW_EVERY)))
#if N == 2
#define TICK_OK (tickOk(0) && tickOk(1))
#elif N == 3
#define TICK_OK (tickOk(0) && tickOk(1) && tickOk(2))
#else
#error "N must be 2 or 3"
#endif

active proctype clock() {
  byte k;
  do
  :: d_step {
      TICK_OK ->
      if
      :: lock_present && lock_age < MAXAGE -> lock_age++
      :: else
      fi;
      for (k : 0 .. N - 1) {
        if
        :: holding[k] && conf_age[k] < MAXCONF -> conf_age[k]++
        :: else
        fi
      }
      k = 0
    }
  od
}

#ifdef LIVENESS
/* Faults stop at some point: under weak fairness this process eventually runs. */
active proctype faultsStop() {
  calm = true
}
#endif

init {
  byte k;
  atomic {
    /* Deployer 0's clock is S3's; deployer 1's is 20 minutes fast, deployer 2's 20 minutes slow. */
    skew[1] = SKEW;
#if N > 2
    skew[2] = -SKEW;
#endif
    for (k : 0 .. N - 1) {
      run deployer(k);
      run renewTimer(k)
    }
    k = 0
  }
}

#ifdef LIVENESS
ltl releaseSettles {
  [] ((j_pending && j_release == 0) -> <> !(j_pending && j_release == 0)) &&
  [] ((j_pending && j_release == 1) -> <> !(j_pending && j_release == 1))
}
#endif
