module gorleakcorpus/sql-pool

go 1.19
