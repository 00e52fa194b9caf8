<?php
// Test upstream for soapbridge: PHP's own SoapServer in WSDL mode, started
// by the tests with `php -S 127.0.0.1:PORT router.php`.
//   /inventory          document/literal wrapped (examples/inventory), SOAP 1.1 and 1.2
//   /rpc                rpc/encoded with SOAP-encoded arrays (rpc.wsdl)
//   /secure/inventory   as /inventory, behind HTTP Basic (user "alice", password "s3cret")
ini_set('soap.wsdl_cache_enabled', '0');
ini_set('display_errors', '0');

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if (str_starts_with($path, '/secure/')) {
    if (($_SERVER['PHP_AUTH_USER'] ?? '') !== 'alice' || ($_SERVER['PHP_AUTH_PW'] ?? '') !== 's3cret') {
        header('WWW-Authenticate: Basic realm="inventory"');
        http_response_code(401);
        echo "unauthorized";
        return true;
    }
    $path = substr($path, 7);
}

class Inventory {
    public function GetItems($req) {
        $limit = isset($req->limit) ? (int)$req->limit : 3;
        $items = [];
        for ($i = 1; $i <= $limit; $i++) {
            $item = new stdClass();
            $item->sku = $req->skuPrefix . $i;
            $item->id = $i;
            $item->name = "Item number $i & co";
            $item->price = "$i.99";
            $item->tags = $i == 1 ? [] : ($i == 2 ? ['red'] : ['red', 'big']);
            $item->discontinued = $i == 2 ? null : ($i % 2 == 0);
            $items[] = $item;
        }
        return ['item' => $items];
    }
    public function Reserve($req) {
        if ((int)$req->quantity > 10) {
            throw new SoapFault('Client', 'not enough stock for ' . $req->sku, null,
                (object)['sku' => $req->sku, 'available' => 10], 'OutOfStock');
        }
        if ($req->sku === 'X-0') {
            throw new SoapFault('Server', 'the warehouse is offline');
        }
        return ['reservationId' => 'R-' . $req->sku . '-' . $req->quantity, 'expires' => '2026-12-01T10:00:00Z'];
    }
}

class Calc {
    public function sum($numbers) { return array_sum($numbers); }
    public function echoStrings($strings) { return $strings; }
    public function describe($person) {
        return ['name' => strtoupper($person->name), 'age' => $person->age + 1, 'nickname' => null,
                'balance' => '12345678901234567890.12', 'scores' => [1.5, 2.25]];
    }
}

$dir = __DIR__;
switch ($path) {
case '/inventory':
    $server = new SoapServer(realpath("$dir/../../../examples/inventory/inventory.wsdl"), ['cache_wsdl' => WSDL_CACHE_NONE]);
    $server->setClass('Inventory');
    break;
case '/rpc':
    $server = new SoapServer("$dir/rpc.wsdl", ['cache_wsdl' => WSDL_CACHE_NONE]);
    $server->setClass('Calc');
    break;
default:
    http_response_code(404);
    echo "no such service";
    return true;
}
$server->handle();
return true;
