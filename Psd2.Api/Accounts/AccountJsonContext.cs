using System.Text.Json;
using System.Text.Json.Serialization;

namespace Psd2.Api.Accounts;

/// <summary>The read API's types, serialized by generated code (the cached answers are written by it too).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AccountResponse))]
[JsonSerializable(typeof(List<AccountResponse>))]
[JsonSerializable(typeof(List<BalanceResponse>))]
[JsonSerializable(typeof(TransactionResponse))]
[JsonSerializable(typeof(TransactionPage))]
public sealed partial class AccountJsonContext : JsonSerializerContext;
