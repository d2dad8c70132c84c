module example.com/proviso-go

go 1.21
