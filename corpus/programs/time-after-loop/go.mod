module gorleakcorpus/time-after-loop

go 1.19
