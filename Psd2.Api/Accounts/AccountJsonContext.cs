using System.Text.Json;
using System.Text.Json.Serialization;

namespace Psd2.Api.Accounts;

/// <summary>
/// The read API's types, serialized by generated code (the cached answers are written by it too). The answers written
/// once and cached take their type info from this context directly: through the API's chain of resolvers the generated
/// writer is not used, only the serializer's generic path. The context and the API both use the web defaults.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AccountResponse))]
[JsonSerializable(typeof(List<AccountResponse>))]
[JsonSerializable(typeof(List<BalanceResponse>))]
[JsonSerializable(typeof(TransactionResponse))]
[JsonSerializable(typeof(TransactionPage))]
public sealed partial class AccountJsonContext : JsonSerializerContext;
