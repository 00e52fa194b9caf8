module github.com/soapbridge/soapbridge

go 1.26
