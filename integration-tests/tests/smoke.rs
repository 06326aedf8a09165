use fvm_shared::econ::TokenAmount;
use integration_tests::Harness;

#[test]
fn counter_end_to_end() {
    let mut h = Harness::new().unwrap();
    let alice = h.create_account(TokenAmount::from_whole(100)).unwrap();
    let counter = h.deploy(&alice, "test-actor-counter", &alice.id).unwrap();
    let r = h
        .call(&alice, counter, test_actor_counter::METHOD_INCREMENT, &5u64, TokenAmount::default())
        .unwrap();
    println!("{r:?}");
    assert_eq!(r.ret::<u64>().unwrap(), 5);
}
